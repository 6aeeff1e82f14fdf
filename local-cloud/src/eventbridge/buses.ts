/**
 * The buses with their rules and targets: what the API creates, changes and
 * describes, and what routing reads. A rule's pattern is compiled when the
 * rule is put, so an invalid one is refused then.
 */

import { type Bus, EventBridgeError, type Rule, type TargetSpec } from './model';
import { type CompiledPattern, InvalidEventPatternError, parseEventPattern } from './pattern';

export interface RuleInput {
  Name: string;
  EventBusName?: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State?: 'ENABLED' | 'DISABLED';
  Description?: string;
}

export interface Buses {
  /** Creates a bus unless it exists; its ARN either way. */
  create(name: string): string;
  has(name: string): boolean;
  delete(name: string): void;
  list(): Bus[];
  /** Accepts a bus name or ARN, as AWS does; the default bus when none is named. */
  find(nameOrArn: string | undefined): Bus;
  findRule(name: string, busName: string | undefined): Rule;
  /** Creates or replaces a rule (keeping its targets); its ARN. */
  putRule(input: RuleInput): string;
  putTargets(rule: string, busName: string | undefined, targets: TargetSpec[]): void;
}

/** Compiles an event pattern, refusing an invalid one as AWS does. */
export const compilePattern = (text: string): CompiledPattern => {
  try {
    return parseEventPattern(text);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      throw new EventBridgeError('InvalidEventPatternException', error.message);
    }
    throw error;
  }
};

export function createBuses({ region, accountId }: { region: string; accountId: string }): Buses {
  const buses = new Map<string, Bus>();

  const busArn = (name: string) => `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
  const ruleArn = (bus: string, name: string) =>
    `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

  const create = (name: string): string => {
    const existing = buses.get(name);
    if (existing) return existing.arn;
    const bus: Bus = { name, arn: busArn(name), rules: new Map() };
    buses.set(name, bus);
    return bus.arn;
  };
  create('default');

  const find = (nameOrArn: string | undefined): Bus => {
    const name = (nameOrArn ?? 'default').replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
    const bus = buses.get(name);
    if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  };

  const findRule = (name: string, busName: string | undefined): Rule => {
    const bus = find(busName);
    const rule = bus.rules.get(name);
    if (!rule) {
      throw new EventBridgeError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    }
    return rule;
  };

  const putRule = (input: RuleInput): string => {
    const bus = find(input.EventBusName);
    if (!input.EventPattern && !input.ScheduleExpression) {
      throw new EventBridgeError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    const compiled = input.EventPattern ? compilePattern(input.EventPattern) : undefined;
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

  const putTargets = (ruleName: string, busName: string | undefined, targets: TargetSpec[]) => {
    const rule = findRule(ruleName, busName);
    for (const target of targets) rule.targets.set(target.Id, target);
  };

  return {
    create,
    has: (name) => buses.has(name),
    delete: (name) => buses.delete(name),
    list: () => [...buses.values()],
    find,
    findRule,
    putRule,
    putTargets,
  };
}
