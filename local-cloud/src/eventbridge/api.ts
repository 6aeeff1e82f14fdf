/**
 * The AWSEvents JSON 1.1 operations and their validation, answered as AWS
 * answers them: PutEvents with its entry limits and per-entry errors, buses,
 * rules and targets, TestEventPattern. A valid event is handed to `route`;
 * matching and delivery happen there.
 */

import { type Buses, compilePattern } from './buses';
import {
  type Bus,
  EventBridgeError,
  type EventEnvelope,
  formatEventTime,
  isRecord,
  type Rule,
  type TargetSpec,
} from './model';

export interface EventBridgeApiOptions {
  region: string;
  accountId: string;
  buses: Buses;
  route: (bus: Bus, envelope: EventEnvelope) => void;
  now: () => Date;
  newId: () => string;
}

/** One operation: its input as sent (a JSON object), its output as AWS answers it. */
/** An entry PutEvents refuses for its caller (IAM), with the entry's error code and message. */
export type EntryRefusal = (
  entry: unknown,
  index: number,
) => { ErrorCode: string; ErrorMessage: string } | undefined;

export interface CallContext {
  /** PutEvents: entries the caller may not put (its role or the bus policy) fail on their own. */
  refuseEntry?: EntryRefusal;
}

export type Operation = (input: Record<string, unknown>, call?: CallContext) => unknown;

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

const optionalString = (input: Record<string, unknown>, key: string): string | undefined => {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new EventBridgeError('ValidationException', `Parameter ${key} is not valid.`);
  return value;
};

const requiredString = (input: Record<string, unknown>, key: string): string => {
  const value = optionalString(input, key);
  if (value === undefined || value === '') {
    throw new EventBridgeError(
      'ValidationException',
      `1 validation error detected: Value null at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
};

const eventTime = (value: unknown): Date | undefined => {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string' && value !== '') {
    const parsed = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
};

const paginate = <T>(items: T[], input: Record<string, unknown>) => {
  const start = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
  const limit = typeof input.Limit === 'number' && input.Limit > 0 ? input.Limit : 100;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : undefined;
  return { page, next };
};

const describeRule = (rule: Rule) => ({
  Name: rule.name,
  Arn: rule.arn,
  ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
  ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
  State: rule.state,
  ...(rule.description ? { Description: rule.description } : {}),
  EventBusName: rule.busName,
});

/** The operations by name (`PutEvents`, `PutRule`, ...). */
export function createOperations(options: EventBridgeApiOptions): Record<string, Operation> {
  const { region, accountId, buses, route, now, newId } = options;

  const putEvents: Operation = (input, call) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new EventBridgeError(
        'ValidationException',
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (entries.length > MAX_ENTRIES) {
      throw new EventBridgeError(
        'ValidationException',
        `1 validation error detected: Value '[${entries.map(() => 'PutEventsRequestEntry').join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    }
    const size = entries.reduce<number>((total, entry) => total + entrySize(entry), 0);
    if (size > MAX_REQUEST_BYTES) {
      throw new EventBridgeError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = entries.map((entry, index) => call?.refuseEntry?.(entry, index) ?? putEntry(entry));
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  };

  const putEntry = (entry: unknown): { EventId: string } | { ErrorCode: string; ErrorMessage: string } => {
    if (!isRecord(entry))
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Entry is not valid.' };
    const required = (key: 'Source' | 'DetailType' | 'Detail') => {
      const value = entry[key];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const source = required('Source');
    const detailType = required('DetailType');
    const detailText = required('Detail');
    for (const [key, value] of [
      ['Source', source],
      ['DetailType', detailType],
      ['Detail', detailText],
    ] as const) {
      if (value === undefined) {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${key} is not valid. Reason: ${key} is a required argument.`,
        };
      }
    }
    let detail: unknown;
    try {
      detail = JSON.parse(detailText as string);
    } catch {
      detail = undefined;
    }
    if (!isRecord(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    let bus: Bus;
    try {
      bus = buses.find(
        typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName : undefined,
      );
    } catch (error) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: (error as Error).message };
    }
    const resources = Array.isArray(entry.Resources)
      ? entry.Resources.filter((item): item is string => typeof item === 'string')
      : [];
    const envelope: EventEnvelope = {
      version: '0',
      id: newId(),
      'detail-type': detailType as string,
      source: source as string,
      account: accountId,
      time: formatEventTime(eventTime(entry.Time) ?? now()),
      region,
      resources,
      detail,
    };
    route(bus, envelope);
    return { EventId: envelope.id };
  };

  return {
    PutEvents: putEvents,
    CreateEventBus: (input) => {
      const name = requiredString(input, 'Name');
      if (buses.has(name)) {
        throw new EventBridgeError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      }
      return { EventBusArn: buses.create(name) };
    },
    DeleteEventBus: (input) => {
      const name = requiredString(input, 'Name');
      if (name === 'default')
        throw new EventBridgeError('ValidationException', 'Cannot delete event bus default.');
      buses.delete(name);
      return {};
    },
    ListEventBuses: (input) => {
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const all = buses.list().filter((bus) => bus.name.startsWith(prefix));
      const { page, next } = paginate(all, input);
      return {
        EventBuses: page.map((bus) => ({ Name: bus.name, Arn: bus.arn })),
        ...(next ? { NextToken: next } : {}),
      };
    },
    DescribeEventBus: (input) => {
      const bus = buses.find(optionalString(input, 'Name'));
      return { Name: bus.name, Arn: bus.arn };
    },
    PutRule: (input) => {
      const state = optionalString(input, 'State');
      if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
        throw new EventBridgeError('ValidationException', `Parameter State is not valid.`);
      }
      return {
        RuleArn: buses.putRule({
          Name: requiredString(input, 'Name'),
          EventBusName: optionalString(input, 'EventBusName'),
          EventPattern: optionalString(input, 'EventPattern'),
          ScheduleExpression: optionalString(input, 'ScheduleExpression'),
          State: state,
          Description: optionalString(input, 'Description'),
        }),
      };
    },
    DescribeRule: (input) => {
      const rule = buses.findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName'));
      return { ...describeRule(rule), CreatedBy: accountId };
    },
    ListRules: (input) => {
      const bus = buses.find(optionalString(input, 'EventBusName'));
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const rules = [...bus.rules.values()].filter((rule) => rule.name.startsWith(prefix));
      const { page, next } = paginate(rules, input);
      return { Rules: page.map(describeRule), ...(next ? { NextToken: next } : {}) };
    },
    DeleteRule: (input) => {
      const bus = buses.find(optionalString(input, 'EventBusName'));
      const rule = bus.rules.get(requiredString(input, 'Name'));
      if (rule && rule.targets.size > 0) {
        throw new EventBridgeError('ValidationException', "Rule can't be deleted since it has targets.");
      }
      if (rule) bus.rules.delete(rule.name);
      return {};
    },
    EnableRule: (input) => {
      buses.findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName')).state = 'ENABLED';
      return {};
    },
    DisableRule: (input) => {
      buses.findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName')).state = 'DISABLED';
      return {};
    },
    PutTargets: (input) => {
      const targets = input.Targets;
      if (!Array.isArray(targets) || targets.length === 0 || !targets.every(isTargetSpec)) {
        throw new EventBridgeError('ValidationException', 'Parameter Targets is not valid.');
      }
      buses.putTargets(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'), targets);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (input) => {
      const rule = buses.findRule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
      const ids = Array.isArray(input.Ids)
        ? input.Ids.filter((id): id is string => typeof id === 'string')
        : [];
      for (const id of ids) rule.targets.delete(id);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (input) => {
      const rule = buses.findRule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
      const { page, next } = paginate([...rule.targets.values()], input);
      return { Targets: page, ...(next ? { NextToken: next } : {}) };
    },
    TestEventPattern: (input) => {
      const pattern = compilePattern(requiredString(input, 'EventPattern'));
      let event: unknown;
      try {
        event = JSON.parse(requiredString(input, 'Event'));
      } catch {
        event = undefined;
      }
      if (!isRecord(event))
        throw new EventBridgeError('ValidationException', 'Parameter Event is not valid.');
      return { Result: pattern.matches(event) };
    },
  };
}

function isTargetSpec(value: unknown): value is TargetSpec {
  return isRecord(value) && typeof value.Id === 'string' && typeof value.Arn === 'string';
}

/** Entry size as AWS counts it: Time (14 bytes) plus the UTF-8 sizes of Source, DetailType, Detail and Resources. */
function entrySize(entry: unknown): number {
  if (!isRecord(entry)) return 0;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce<number>((total, resource) => total + bytes(resource), 0)
  );
}
