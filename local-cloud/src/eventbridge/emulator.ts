/**
 * An in-memory EventBridge: buses, rules, targets, PutEvents with pattern
 * matching, and asynchronous delivery with the target's retry policy and
 * dead-letter queue. It speaks the AWSEvents JSON 1.1 operations through
 * `handle(operation, input)`; the edge turns HTTP into that call.
 */

import { randomUUID } from 'node:crypto';
import { type CompiledPattern, InvalidEventPatternError, parseEventPattern } from './pattern';

/** An error in the AWS JSON protocol shape (`__type` + `message`). */
export class EventBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'EventBridgeError';
  }
}

/**
 * Thrown by a target delivery. `retriable: false` mirrors AWS: a missing target
 * resource or a permission error is not retried and goes straight to the DLQ.
 */
export class TargetDeliveryError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'TargetDeliveryError';
  }
}

/** Sends one message to a target ARN (the edge delivers SQS ARNs to its queue emulator). */
export type DeliverToTarget = (
  targetArn: string,
  body: string,
  messageAttributes?: Record<string, string>,
) => Promise<void>;

export interface EventBridgeOptions {
  region: string;
  accountId: string;
  deliver: DeliverToTarget;
  now?: () => Date;
  newId?: () => string;
  /** First retry delay; doubles per attempt with jitter, up to `retryMaxDelayMs`. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Where delivery problems are reported (a dropped event is otherwise silent, as in AWS). */
  log?: (message: string) => void;
}

export interface TargetSpec {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

interface Rule {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  compiled?: CompiledPattern;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: Map<string, TargetSpec>;
}

interface Bus {
  name: string;
  arn: string;
  rules: Map<string, Rule>;
}

export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** One event handed to one target, as recorded for tests and introspection. */
export interface DeliveryRecord {
  ruleArn: string;
  targetArn: string;
  eventId: string;
  outcome: 'delivered' | 'dead-lettered' | 'dropped';
  attempts: number;
  errorCode?: string;
}

export interface EventBridgeEmulator {
  handle(operation: string, input: unknown): Promise<unknown>;
  readonly operations: readonly string[];
  createEventBus(name: string): string;
  putRule(input: {
    Name: string;
    EventBusName?: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State?: 'ENABLED' | 'DISABLED';
    Description?: string;
  }): string;
  putTargets(rule: string, busName: string | undefined, targets: TargetSpec[]): void;
  /** Resolves once every delivery started so far has been delivered, dead-lettered or dropped. */
  idle(): Promise<void>;
  readonly deliveries: readonly DeliveryRecord[];
  stop(): void;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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

/** AWS writes event times with second precision: `2024-01-01T00:00:00Z`. */
export const formatEventTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

export function createEventBridge(options: EventBridgeOptions): EventBridgeEmulator {
  const { region, accountId, deliver } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const baseDelay = options.retryBaseDelayMs ?? 1000;
  const maxDelay = options.retryMaxDelayMs ?? 60_000;
  const log = options.log ?? ((message: string) => console.warn(`[eventbridge] ${message}`));

  const buses = new Map<string, Bus>();
  const pending = new Set<Promise<void>>();
  /** Sleeping retries, woken early by stop() so nothing keeps the process alive. */
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  const deliveries: DeliveryRecord[] = [];
  let stopped = false;

  const busArn = (name: string) => `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
  const ruleArn = (bus: string, name: string) =>
    `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

  const createEventBus = (name: string): string => {
    const existing = buses.get(name);
    if (existing) return existing.arn;
    const bus: Bus = { name, arn: busArn(name), rules: new Map() };
    buses.set(name, bus);
    return bus.arn;
  };
  createEventBus('default');

  /** Accepts a bus name or ARN, as AWS does. */
  const findBus = (nameOrArn: string | undefined): Bus => {
    const name = (nameOrArn ?? 'default').replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
    const bus = buses.get(name);
    if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  };

  const findRule = (name: string, busName: string | undefined): Rule => {
    const bus = findBus(busName);
    const rule = bus.rules.get(name);
    if (!rule) {
      throw new EventBridgeError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    }
    return rule;
  };

  const compile = (text: string): CompiledPattern => {
    try {
      return parseEventPattern(text);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        throw new EventBridgeError('InvalidEventPatternException', error.message);
      }
      throw error;
    }
  };

  const putRule: EventBridgeEmulator['putRule'] = (input) => {
    const bus = findBus(input.EventBusName);
    if (!input.EventPattern && !input.ScheduleExpression) {
      throw new EventBridgeError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    const compiled = input.EventPattern ? compile(input.EventPattern) : undefined;
    const existing = bus.rules.get(input.Name);
    const rule: Rule = {
      name: input.Name,
      arn: ruleArn(bus.name, input.Name),
      busName: bus.name,
      eventPattern: input.EventPattern,
      compiled,
      scheduleExpression: input.ScheduleExpression,
      state: input.State ?? 'ENABLED',
      description: input.Description,
      targets: existing?.targets ?? new Map(),
    };
    bus.rules.set(rule.name, rule);
    return rule.arn;
  };

  const putTargets: EventBridgeEmulator['putTargets'] = (ruleName, busName, targets) => {
    const rule = findRule(ruleName, busName);
    for (const target of targets) rule.targets.set(target.Id, target);
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

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  /** The body a target receives: the whole envelope, a constant Input, or the InputPath selection. */
  const targetBody = (target: TargetSpec, envelope: EventEnvelope): string => {
    if (target.Input !== undefined) return target.Input;
    if (target.InputPath) {
      let selected: unknown = envelope;
      for (const key of target.InputPath.replace(/^\$\.?/, '')
        .split('.')
        .filter(Boolean)) {
        selected = isRecord(selected) ? selected[key] : undefined;
      }
      return JSON.stringify(selected ?? null);
    }
    return JSON.stringify(envelope);
  };

  const deliverToTarget = async (
    rule: Rule,
    target: TargetSpec,
    envelope: EventEnvelope,
    receivedAt: number,
  ) => {
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const body = targetBody(target, envelope);
    let retries = 0;
    for (;;) {
      if (stopped) return;
      let failure: TargetDeliveryError;
      try {
        await deliver(target.Arn, body);
        deliveries.push({
          ruleArn: rule.arn,
          targetArn: target.Arn,
          eventId: envelope.id,
          outcome: 'delivered',
          attempts: retries + 1,
        });
        return;
      } catch (error) {
        failure =
          error instanceof TargetDeliveryError
            ? error
            : new TargetDeliveryError(
                'INTERNAL_ERROR',
                error instanceof Error ? error.message : String(error),
                true,
              );
      }
      if (stopped) return;
      if (!failure.retriable) {
        await deadLetter(rule, target, envelope, failure, retries, undefined);
        return;
      }
      if (retries >= maxRetries) {
        await deadLetter(rule, target, envelope, failure, retries, 'MaximumRetryAttemptsExhausted');
        return;
      }
      // Exponential backoff with jitter, like AWS (scaled down: locally nobody waits hours).
      const delay = Math.min(baseDelay * 2 ** retries, maxDelay) * (0.5 + Math.random() / 2);
      if (Date.now() + delay - receivedAt > maxAgeMs) {
        await deadLetter(rule, target, envelope, failure, retries, 'MaximumEventAgeExhausted');
        return;
      }
      retries++;
      await sleep(delay);
    }
  };

  const deadLetter = async (
    rule: Rule,
    target: TargetSpec,
    envelope: EventEnvelope,
    failure: TargetDeliveryError,
    retries: number,
    exhausted: string | undefined,
  ) => {
    const record = {
      ruleArn: rule.arn,
      targetArn: target.Arn,
      eventId: envelope.id,
      attempts: retries + 1,
      errorCode: failure.errorCode,
    };
    const dlqArn = target.DeadLetterConfig?.Arn;
    if (!dlqArn) {
      log(`event ${envelope.id} dropped for ${target.Arn} (${failure.errorCode}: ${failure.message})`);
      deliveries.push({ ...record, outcome: 'dropped' });
      return;
    }
    const attributes: Record<string, string> = {
      RULE_ARN: rule.arn,
      TARGET_ARN: target.Arn,
      ERROR_CODE: failure.errorCode,
      ERROR_MESSAGE: failure.message,
      RETRY_ATTEMPTS: String(retries),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
    };
    try {
      await deliver(dlqArn, JSON.stringify(envelope), attributes);
      deliveries.push({ ...record, outcome: 'dead-lettered' });
    } catch (error) {
      log(
        `event ${envelope.id} could not be sent to DLQ ${dlqArn}: ${error instanceof Error ? error.message : error}`,
      );
      deliveries.push({ ...record, outcome: 'dropped' });
    }
  };

  const eventTime = (value: unknown): Date | undefined => {
    if (typeof value === 'number') return new Date(value * 1000);
    if (typeof value === 'string' && value !== '') {
      const parsed = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
      return Number.isNaN(parsed.getTime()) ? undefined : parsed;
    }
    return undefined;
  };

  const putEvents = (input: Record<string, unknown>) => {
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
    const results = entries.map((entry) => putEntry(entry));
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
      bus = findBus(
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

  /** Matching runs now; delivery runs after PutEvents has answered, as in AWS. */
  const route = (bus: Bus, envelope: EventEnvelope) => {
    const receivedAt = Date.now();
    for (const rule of bus.rules.values()) {
      if (rule.state !== 'ENABLED' || !rule.compiled?.matches(envelope)) continue;
      for (const target of rule.targets.values()) {
        track(
          new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
            deliverToTarget(rule, target, envelope, receivedAt),
          ),
        );
      }
    }
  };

  const paginate = <T>(items: T[], input: Record<string, unknown>) => {
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
    const limit = typeof input.Limit === 'number' && input.Limit > 0 ? input.Limit : 100;
    const page = items.slice(start, start + limit);
    const next = start + limit < items.length ? String(start + limit) : undefined;
    return { page, next };
  };

  const operationHandlers: Record<string, (input: Record<string, unknown>) => unknown> = {
    PutEvents: putEvents,
    CreateEventBus: (input) => {
      const name = requiredString(input, 'Name');
      if (buses.has(name)) {
        throw new EventBridgeError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      }
      return { EventBusArn: createEventBus(name) };
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
      const all = [...buses.values()].filter((bus) => bus.name.startsWith(prefix));
      const { page, next } = paginate(all, input);
      return {
        EventBuses: page.map((bus) => ({ Name: bus.name, Arn: bus.arn })),
        ...(next ? { NextToken: next } : {}),
      };
    },
    DescribeEventBus: (input) => {
      const bus = findBus(optionalString(input, 'Name'));
      return { Name: bus.name, Arn: bus.arn };
    },
    PutRule: (input) => {
      const state = optionalString(input, 'State');
      if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
        throw new EventBridgeError('ValidationException', `Parameter State is not valid.`);
      }
      return {
        RuleArn: putRule({
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
      const rule = findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName'));
      return { ...describeRule(rule), CreatedBy: accountId };
    },
    ListRules: (input) => {
      const bus = findBus(optionalString(input, 'EventBusName'));
      const prefix = optionalString(input, 'NamePrefix') ?? '';
      const rules = [...bus.rules.values()].filter((rule) => rule.name.startsWith(prefix));
      const { page, next } = paginate(rules, input);
      return { Rules: page.map(describeRule), ...(next ? { NextToken: next } : {}) };
    },
    DeleteRule: (input) => {
      const bus = findBus(optionalString(input, 'EventBusName'));
      const rule = bus.rules.get(requiredString(input, 'Name'));
      if (rule && rule.targets.size > 0) {
        throw new EventBridgeError('ValidationException', "Rule can't be deleted since it has targets.");
      }
      if (rule) bus.rules.delete(rule.name);
      return {};
    },
    EnableRule: (input) => {
      findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName')).state = 'ENABLED';
      return {};
    },
    DisableRule: (input) => {
      findRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName')).state = 'DISABLED';
      return {};
    },
    PutTargets: (input) => {
      const targets = input.Targets;
      if (!Array.isArray(targets) || targets.length === 0 || !targets.every(isTargetSpec)) {
        throw new EventBridgeError('ValidationException', 'Parameter Targets is not valid.');
      }
      putTargets(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'), targets);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (input) => {
      const rule = findRule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
      const ids = Array.isArray(input.Ids)
        ? input.Ids.filter((id): id is string => typeof id === 'string')
        : [];
      for (const id of ids) rule.targets.delete(id);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (input) => {
      const rule = findRule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
      const { page, next } = paginate([...rule.targets.values()], input);
      return { Targets: page, ...(next ? { NextToken: next } : {}) };
    },
    TestEventPattern: (input) => {
      const pattern = compile(requiredString(input, 'EventPattern'));
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

  return {
    operations: Object.keys(operationHandlers),
    async handle(operation, input) {
      const handler = operationHandlers[operation];
      if (!handler) {
        throw new EventBridgeError('UnknownOperationException', `Operation ${operation} is not supported.`);
      }
      return handler(isRecord(input) ? input : {});
    },
    createEventBus,
    putRule,
    putTargets,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    get deliveries() {
      return deliveries;
    },
    stop() {
      stopped = true;
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
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
