/**
 * API Gateway's account-level throttling, with AWS's default quotas: one
 * token bucket shared by the HTTP APIs, the WebSocket API's client messages
 * and `@connections` (10,000 requests per second, burst 5,000), and new
 * WebSocket connections at 500 per second. Set from `startLocalCloud`'s
 * `limits` or, for `npm start`, LC_ACCOUNT_RPS, LC_ACCOUNT_BURST and
 * LC_NEW_CONNECTIONS_RPS ("off" lifts a limit).
 */

import { SettingsError } from '../settings-error';
import { createTokenBucket, type TokenBucket } from './token-bucket';

export { createTokenBucket, type TokenBucket } from './token-bucket';

export interface LimitsOptions {
  /** Steady requests per second of the account's shared bucket (AWS: 10,000). */
  accountRps?: number;
  /** The bucket's size (AWS: 5,000); default half the rate, AWS's proportion. */
  accountBurst?: number;
  /** New WebSocket connections per second, with as many at once (AWS: 500). */
  newConnectionsPerSecond?: number;
}

export type Limits = Required<LimitsOptions>;

export const AWS_LIMITS: Limits = { accountRps: 10_000, accountBurst: 5_000, newConnectionsPerSecond: 500 };

const VARIABLES = {
  accountRps: 'LC_ACCOUNT_RPS',
  accountBurst: 'LC_ACCOUNT_BURST',
  newConnectionsPerSecond: 'LC_NEW_CONNECTIONS_RPS',
} as const satisfies Record<keyof Limits, string>;

const limitValue = (value: string, variable: string): number => {
  if (/^(off|infinity)$/i.test(value.trim())) return Number.POSITIVE_INFINITY;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new SettingsError(`${variable}=${value}`, 'expected a number of requests per second (or "off")');
  }
  return parsed;
};

/** The limits the environment sets (LC_ACCOUNT_RPS, LC_ACCOUNT_BURST, LC_NEW_CONNECTIONS_RPS). */
export const limitsFromEnvironment = (env: NodeJS.ProcessEnv = process.env): LimitsOptions => {
  const limits: LimitsOptions = {};
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof Limits, string][]) {
    const value = env[variable];
    if (value !== undefined) limits[key] = limitValue(value, variable);
  }
  return limits;
};

/** AWS's defaults under what is set; a lowered rate without a burst keeps AWS's proportion (half). */
export const resolveLimits = (options: LimitsOptions = {}): Limits => {
  const accountRps = options.accountRps ?? AWS_LIMITS.accountRps;
  return {
    accountRps,
    accountBurst:
      options.accountBurst ??
      (options.accountRps === undefined
        ? AWS_LIMITS.accountBurst
        : Math.max(1, Math.floor(accountRps * (AWS_LIMITS.accountBurst / AWS_LIMITS.accountRps)))),
    newConnectionsPerSecond: options.newConnectionsPerSecond ?? AWS_LIMITS.newConnectionsPerSecond,
  };
};

export interface Throttles {
  /** The account's bucket: every HTTP API request, WebSocket client message and `@connections` call. */
  account: TokenBucket;
  /** WebSocket handshakes. */
  newConnections: TokenBucket;
}

/**
 * One bucket per API stage that sets throttling (its `DefaultRouteSettings`),
 * by API id; AWS checks it before the account's. Stages without throttling
 * have none: only the account's bucket applies, as in AWS.
 */
export const createStageThrottles = (
  apis: readonly { apiId: string; throttle?: { rateLimit: number; burstLimit: number } }[],
  now?: () => number,
): Map<string, TokenBucket> =>
  new Map(
    apis.flatMap((api) =>
      api.throttle
        ? [
            [
              api.apiId,
              createTokenBucket({
                ratePerSecond: api.throttle.rateLimit,
                burst: api.throttle.burstLimit,
                ...(now ? { now } : {}),
              }),
            ] as const,
          ]
        : [],
    ),
  );

/** One line per throttled stage for the start-up summary. */
export const describeStageThrottles = (
  apis: readonly { apiId: string; throttle?: { rateLimit: number; burstLimit: number } }[],
): string[] =>
  apis.flatMap((api) =>
    api.throttle
      ? [
          `${api.apiId} stage ${
            api.throttle.rateLimit === Number.POSITIVE_INFINITY
              ? 'unlimited'
              : `${perSecond(api.throttle.rateLimit)}, burst ${api.throttle.burstLimit.toLocaleString('en-US')}`
          }`,
        ]
      : [],
  );

export const createThrottles = (limits: Limits, now?: () => number): Throttles => ({
  account: createTokenBucket({
    ratePerSecond: limits.accountRps,
    burst: limits.accountBurst,
    ...(now ? { now } : {}),
  }),
  newConnections: createTokenBucket({
    ratePerSecond: limits.newConnectionsPerSecond,
    burst: limits.newConnectionsPerSecond,
    ...(now ? { now } : {}),
  }),
});

const perSecond = (value: number) =>
  value === Number.POSITIVE_INFINITY
    ? 'unlimited'
    : `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}/s`;

/** One line for the start-up summary, saying where the limits differ from AWS's. */
export const describeLimits = (limits: Limits): string => {
  const aws = (Object.keys(AWS_LIMITS) as (keyof Limits)[]).every((key) => limits[key] === AWS_LIMITS[key]);
  const account =
    limits.accountRps === Number.POSITIVE_INFINITY
      ? 'unlimited'
      : `${perSecond(limits.accountRps)}, burst ${limits.accountBurst.toLocaleString('en-US')}`;
  return (
    `account ${account}; new connections ${perSecond(limits.newConnectionsPerSecond)}` +
    (aws ? "  (AWS's defaults)" : '  (AWS: 10,000/s, burst 5,000; 500/s)')
  );
};
