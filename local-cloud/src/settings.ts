/**
 * The local cloud's knobs for tests and benchmarks, from `startLocalCloud`'s
 * options over the environment `npm start` reads: the account's throttling
 * limits (LC_ACCOUNT_RPS, LC_ACCOUNT_BURST, LC_NEW_CONNECTIONS_RPS), a fault
 * plan (LC_FAULTS, JSON), a scale for SQS visibility timeouts
 * (LC_VISIBILITY_SCALE) and an external AWS edge (LC_EDGE_URL).
 */

import { type FaultOptions, faultsFromEnvironment, validateFaults } from './faults';
import { type Limits, type LimitsOptions, limitsFromEnvironment, resolveLimits } from './limits';
import { SettingsError } from './settings-error';
import type { Topology } from './topology/model';

export interface LocalSettingsOptions {
  limits?: LimitsOptions;
  faults?: FaultOptions;
  visibilityTimeoutScale?: number;
  edgeUrl?: string;
}

export interface LocalSettings {
  limits: Limits;
  faults: FaultOptions;
  /** 1 unless set: every queue's VisibilityTimeout is multiplied by it. */
  visibilityTimeoutScale: number;
  /** LocalStack's or moto's URL when the AWS services are theirs, not the embedded edge's. */
  edgeUrl?: string;
}

/** SQS allows 0 to 43,200 seconds (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

const scaleOf = (value: unknown, source: string): number => {
  const scale =
    typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? Number(value) : NaN;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new SettingsError(source, `expected a number greater than 0, not ${JSON.stringify(value)}`);
  }
  return scale;
};

/** An http(s) origin, `http://localhost:4566`: queue URLs are built on it, so no path. */
const edgeUrlOf = (value: string, source: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new SettingsError(
      source,
      `expected the URL of LocalStack or moto, such as http://localhost:4566, not ${JSON.stringify(value)}`,
    );
  }
  return url.origin;
};

/** Options first, then the environment, then AWS's defaults (no faults, timeouts as declared). */
export const localSettings = (
  options: LocalSettingsOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): LocalSettings => ({
  limits: resolveLimits({ ...limitsFromEnvironment(env), ...options.limits }),
  faults: options.faults ? validateFaults(options.faults) : (faultsFromEnvironment(env) ?? {}),
  visibilityTimeoutScale:
    options.visibilityTimeoutScale !== undefined
      ? scaleOf(options.visibilityTimeoutScale, 'visibilityTimeoutScale')
      : env.LC_VISIBILITY_SCALE !== undefined
        ? scaleOf(env.LC_VISIBILITY_SCALE, 'LC_VISIBILITY_SCALE')
        : 1,
  ...(options.edgeUrl !== undefined
    ? { edgeUrl: edgeUrlOf(options.edgeUrl, 'edgeUrl') }
    : env.LC_EDGE_URL
      ? { edgeUrl: edgeUrlOf(env.LC_EDGE_URL, 'LC_EDGE_URL') }
      : {}),
});

/**
 * Multiplies every queue's visibility timeout (whole seconds, at least 1 unless
 * it was 0), so that a failed or throttled message comes back sooner in tests
 * and benchmarks. Returns what changed, `name 36 s -> 4 s`, to be printed.
 */
export const scaleVisibilityTimeouts = (topology: Topology, scale: number): string[] => {
  if (scale === 1) return [];
  return topology.queues.map((queue) => {
    const from = queue.visibilityTimeoutSeconds;
    const to = from === 0 ? 0 : Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.round(from * scale)));
    queue.visibilityTimeoutSeconds = to;
    return `${queue.name} ${from} s -> ${to} s`;
  });
};

/** Sets functions' reserved concurrency over what the stacks declare (null removes it). */
export const overrideReservedConcurrency = (
  topology: Topology,
  overrides: Record<string, number | null>,
): void => {
  for (const [key, value] of Object.entries(overrides)) {
    const fn = topology.functions.find((candidate) => candidate.key === key);
    if (!fn) throw new SettingsError('reservedConcurrency', `no function ${key} in the topology`);
    if (value === null) delete fn.reservedConcurrency;
    else if (Number.isInteger(value) && value >= 0) fn.reservedConcurrency = value;
    else throw new SettingsError('reservedConcurrency', `${key} must be a whole number, not ${value}`);
  }
};

/** A fault plan may only name functions the topology has (a typo would inject nothing). */
export const checkFaultedFunctions = (topology: Topology, faults: FaultOptions): void => {
  const known = new Set(topology.functions.map((fn) => fn.key));
  const unknown = Object.keys(faults.functions ?? {}).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new SettingsError(
      'faults',
      `no function ${unknown.join(', ')} in the topology (known: ${[...known].sort().join(', ')})`,
    );
  }
};
