/**
 * Fault injection for tests and benchmarks, in the local cloud and never in
 * the services: a fraction of a function's invocations fail with a function
 * error instead of running, a fraction of `@connections` calls are answered
 * with a 5xx or 429, and rule targets refuse delivery (so the target's retry
 * policy and then its DLQ take over). Set with `startLocalCloud({ faults })`
 * or, for `npm start`, LC_FAULTS (the same object as JSON).
 *
 * With a `seed` the draws repeat from run to run: each function, the
 * `@connections` API and each target draw from their own sequence, so what
 * fails does not depend on how the other streams interleave.
 */

import { TargetDeliveryError, type TargetRefusal } from '../eventbridge/delivery';
import type { ManagementFault } from '../gateways/websocket-gateway';
import type { InvokeError } from '../lambda/invoker';
import { SettingsError } from '../settings-error';

export interface ConnectionsFaultOptions {
  /** The fraction of calls (0 to 1) answered with this error instead of being served. */
  failureRate: number;
  /** 500 (InternalServerErrorException, the default), another 5xx, or 429 (LimitExceededException). */
  status?: number;
}

export interface TargetFaultOptions {
  /** The rule's name. */
  rule: string;
  /** The target's Id; default every target of the rule. */
  target?: string;
  /** The fraction of delivery attempts refused (default 1: every one). */
  failureRate?: number;
}

export interface FaultOptions {
  /** Makes the draws repeatable; without it they come from Math.random. */
  seed?: number;
  /** Function key (`connections.broadcast`) -> the fraction of its invocations that fail instead of running. */
  functions?: Record<string, number>;
  /** `@connections` calls answered with an error; several entries share one draw per call. */
  connections?: ConnectionsFaultOptions | ConnectionsFaultOptions[];
  /** Rule targets that refuse delivery attempts. */
  targets?: TargetFaultOptions[];
}

export interface Faults {
  /** The error an invocation fails with instead of running, if this one is picked. */
  functionFailure?: (functionKey: string) => InvokeError | undefined;
  /** The answer a `@connections` call gets instead of being served, if this one is picked. */
  connectionsFault?: () => ManagementFault | undefined;
  /** The error a delivery attempt to a rule target fails with, if this one is picked. */
  targetRefusal?: TargetRefusal;
  /** What is injected, one line each, for the start-up summary. */
  describe(): string[];
}

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
const mulberry32 = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** FNV-1a of the seed and a stream's name: each stream its own sequence. */
const streamSeed = (seed: number, name: string) => {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

const ERROR_TYPES: Record<number, { errorType: string; message: string }> = {
  429: { errorType: 'LimitExceededException', message: 'Rate exceeded' },
  500: { errorType: 'InternalServerErrorException', message: 'Internal server error' },
  503: { errorType: 'ServiceUnavailableException', message: 'Service Unavailable' },
};

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a fault plan (from options or LC_FAULTS) and says what is wrong with it, naming `source`. */
export const validateFaults = (value: unknown, source = 'faults'): FaultOptions => {
  if (!isRecord(value)) throw new SettingsError(source, 'expected an object');
  const rate = (rate: unknown, where: string) => {
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new SettingsError(source, `${where} must be a fraction from 0 to 1, not ${JSON.stringify(rate)}`);
    }
    return rate;
  };
  const known = ['seed', 'functions', 'connections', 'targets'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw new SettingsError(source, `unknown key ${key} (known: ${known.join(', ')})`);
  }
  const plan: FaultOptions = {};
  if (value.seed !== undefined) {
    if (!Number.isInteger(value.seed)) throw new SettingsError(source, 'seed must be an integer');
    plan.seed = value.seed as number;
  }
  if (value.functions !== undefined) {
    if (!isRecord(value.functions))
      throw new SettingsError(source, 'functions must map function keys to rates');
    plan.functions = Object.fromEntries(
      Object.entries(value.functions).map(([key, fraction]) => [key, rate(fraction, `functions.${key}`)]),
    );
  }
  if (value.connections !== undefined) {
    const entries = Array.isArray(value.connections) ? value.connections : [value.connections];
    plan.connections = entries.map((entry: unknown, index) => {
      const where = Array.isArray(value.connections) ? `connections[${index}]` : 'connections';
      if (!isRecord(entry)) throw new SettingsError(source, `${where} must be { failureRate, status? }`);
      const status = entry.status ?? 500;
      if (typeof status !== 'number' || !(status === 429 || (status >= 500 && status <= 599))) {
        throw new SettingsError(
          source,
          `${where}.status must be 429 or a 5xx, not ${JSON.stringify(status)}`,
        );
      }
      return { failureRate: rate(entry.failureRate, `${where}.failureRate`), status };
    });
    const total = plan.connections.reduce((sum, entry) => sum + entry.failureRate, 0);
    if (total > 1) throw new SettingsError(source, 'the connections failure rates add up to more than 1');
  }
  if (value.targets !== undefined) {
    if (!Array.isArray(value.targets)) throw new SettingsError(source, 'targets must be a list');
    plan.targets = value.targets.map((entry: unknown, index) => {
      const where = `targets[${index}]`;
      if (!isRecord(entry) || typeof entry.rule !== 'string') {
        throw new SettingsError(source, `${where} must be { rule, target?, failureRate? }`);
      }
      if (entry.target !== undefined && typeof entry.target !== 'string') {
        throw new SettingsError(source, `${where}.target must be a target Id`);
      }
      return {
        rule: entry.rule,
        ...(entry.target !== undefined ? { target: entry.target as string } : {}),
        failureRate: rate(entry.failureRate ?? 1, `${where}.failureRate`),
      };
    });
  }
  return plan;
};

/** LC_FAULTS: the fault plan as JSON, or undefined when the variable is not set. */
export const faultsFromEnvironment = (env: NodeJS.ProcessEnv = process.env): FaultOptions | undefined => {
  const text = env.LC_FAULTS;
  if (text === undefined || text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsError('LC_FAULTS', `not JSON (${(error as Error).message})`);
  }
  return validateFaults(parsed, 'LC_FAULTS');
};

export const createFaults = (options: FaultOptions = {}): Faults => {
  const plan = validateFaults(options);
  const { seed } = plan;
  const stream = (name: string) => (seed === undefined ? Math.random : mulberry32(streamSeed(seed, name)));
  const lines: string[] = [];
  const faults: Faults = { describe: () => [...lines] };

  const functionRates = Object.entries(plan.functions ?? {}).filter(([, rate]) => rate > 0);
  if (functionRates.length > 0) {
    const draws = new Map(
      functionRates.map(([key, rate]) => [key, { rate, draw: stream(`function:${key}`) }]),
    );
    faults.functionFailure = (functionKey) => {
      const fault = draws.get(functionKey);
      if (!fault || fault.draw() >= fault.rate) return undefined;
      return {
        errorType: 'InjectedFault',
        errorMessage: `The local cloud failed this invocation on purpose (faults: ${percent(fault.rate)} of ${functionKey})`,
      };
    };
    for (const [key, rate] of functionRates) lines.push(`${percent(rate)} of ${key} invocations fail`);
  }

  const connections = [plan.connections ?? []].flat().filter((entry) => entry.failureRate > 0);
  if (connections.length > 0) {
    const draw = stream('connections');
    const answers = connections.map(({ failureRate, status = 500 }) => ({
      failureRate,
      answer: {
        status,
        ...(ERROR_TYPES[status] ?? (ERROR_TYPES[500] as { errorType: string; message: string })),
      },
    }));
    faults.connectionsFault = () => {
      let u = draw();
      for (const { failureRate, answer } of answers) {
        if (u < failureRate) return answer;
        u -= failureRate;
      }
      return undefined;
    };
    for (const { failureRate, answer } of answers) {
      lines.push(`${percent(failureRate)} of @connections calls answer ${answer.status} ${answer.errorType}`);
    }
  }

  const targets = (plan.targets ?? []).filter((entry) => (entry.failureRate ?? 1) > 0);
  if (targets.length > 0) {
    const refusals = targets.map((entry) => ({
      ...entry,
      failureRate: entry.failureRate ?? 1,
      draw: stream(`target:${entry.rule}/${entry.target ?? '*'}`),
    }));
    faults.targetRefusal = (rule, target) => {
      for (const refusal of refusals) {
        if (refusal.rule !== rule.name || (refusal.target !== undefined && refusal.target !== target.Id))
          continue;
        if (refusal.draw() < refusal.failureRate) {
          return new TargetDeliveryError(
            'INTERNAL_ERROR',
            `The local cloud refused this delivery on purpose (faults: ${percent(refusal.failureRate)} of rule ${refusal.rule}'s ${refusal.target ?? 'targets'})`,
            true,
          );
        }
      }
      return undefined;
    };
    for (const refusal of refusals) {
      lines.push(
        `${percent(refusal.failureRate)} of deliveries to rule ${refusal.rule}'s ${refusal.target ? `target ${refusal.target}` : 'targets'} refused`,
      );
    }
  }

  if (lines.length > 0 && seed !== undefined) lines.push(`seed ${seed}`);
  return faults;
};
