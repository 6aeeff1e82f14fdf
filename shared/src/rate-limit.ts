/**
 * Per-user write limits: a sustained rate and a burst, kept in DynamoDB so
 * they hold across containers and are exact under concurrent requests.
 *
 * The algorithm is GCRA (the generic cell rate algorithm, a token bucket
 * written as one time): each key stores its "theoretical arrival time" `tat`,
 * the moment its bucket would be full again. A write at `now` conforms when
 * `tat - now <= tolerance` (tolerance = interval x (burst - 1)); it moves
 * `tat` to `max(tat, now) + interval`. From a full bucket exactly `burst`
 * writes pass at once, then one per interval. Each decision is one
 * conditional UpdateItem (the condition is the test, so two containers can
 * never both take the last token). DynamoDB has no `max()`, so the two cases
 * of `max(tat, now)` are two update expressions: an idle key (no item, or
 * `tat` in the past) is one round trip, a refusal is one (the refused
 * condition returns the item), a write inside a burst is two. Items carry a
 * TTL no later than the moment their `tat` passes, after which an absent item
 * means the same as the expired one: idle users cost nothing.
 *
 * Times are whole milliseconds (the interval is rounded to one), so DynamoDB's
 * decimal sums and the comparisons here agree exactly.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { HttpError, ServiceUnavailableError } from './errors';
import { logger } from './powertools';

/** A sustained rate and the burst allowed on top of an idle key. */
export interface RateLimit {
  /** Writes per minute, sustained (> 0). */
  perMinute: number;
  /** Writes allowed at once from an idle key (a whole number, >= 1). */
  burst: number;
}

/** `perMinute` and `burst` from the environment (strings), checked at cold start with the rest of the config. */
export const rateLimitSchema = z.object({
  perMinute: z.coerce.number().positive(),
  burst: z.coerce.number().int().min(1),
});

/** The answer for one write: allowed, or refused with the honest wait until one more is allowed. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The port: takes one write from `key`'s allowance (a key per user and kind of write). */
export interface RateLimiter {
  take(key: string): Promise<RateDecision>;
}

/** GCRA's two figures for a limit, in whole milliseconds. */
export interface Gcra {
  /** Time one write costs: a minute over the rate. */
  intervalMs: number;
  /** How far ahead of now `tat` may run and still admit a write: interval x (burst - 1). */
  toleranceMs: number;
}

export const gcraOf = (limit: RateLimit): Gcra => {
  const intervalMs = Math.max(1, Math.round(60_000 / limit.perMinute));
  return { intervalMs, toleranceMs: intervalMs * (Math.max(1, Math.floor(limit.burst)) - 1) };
};

/** Whether a write at `nowMs` conforms, given the key's `tat` (undefined: no item). */
export const conforms = (gcra: Gcra, tatMs: number | undefined, nowMs: number): boolean =>
  tatMs === undefined || tatMs - nowMs <= gcra.toleranceMs;

/** The key's `tat` once a conforming write at `nowMs` is counted. */
export const nextTat = (gcra: Gcra, tatMs: number | undefined, nowMs: number): number =>
  Math.max(tatMs ?? nowMs, nowMs) + gcra.intervalMs;

/**
 * Whole seconds until a write refused at `nowMs` would conform: `tat` must
 * come within the tolerance of the clock. Rounded up (waiting that long is
 * always enough), at least 1 (Retry-After's smallest useful value).
 */
export const retryAfterSeconds = (gcra: Gcra, tatMs: number, nowMs: number): number =>
  Math.max(1, Math.ceil((tatMs - gcra.toleranceMs - nowMs) / 1000));

/** 429 `rate_limited` with `Retry-After`: the caller's writes exceed its limit; nothing was written. */
export class RateLimitedError extends HttpError {
  override readonly headers: Record<string, string>;

  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'rate_limited',
      `Too many writes; try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    );
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/**
 * Takes one write from the user's allowance, or throws RateLimitedError. A
 * limit that cannot be read (the table throttled or unreachable) refuses the
 * write with 503 `unavailable` and Retry-After 1 rather than letting it
 * through: a flood is exactly what would overload the table.
 */
export const enforceRateLimit = async (limiter: RateLimiter, key: string): Promise<void> => {
  let decision: RateDecision;
  try {
    decision = await limiter.take(key);
  } catch (error) {
    logger.warn('The write limit could not be checked', { error: error as Error });
    throw new ServiceUnavailableError('Writes cannot be counted right now; try again.', 1, { cause: error });
  }
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
};

export interface DynamoRateLimiterOptions {
  client: DynamoDBDocumentClient;
  /** The service's `<stage>-<service>-write-limits` table: partition key `id` (S), TTL on `expiresAt`. */
  tableName: string;
  limit: RateLimit;
  /** What kind of write the limit counts (`comments`, `posts`, `favorites`); the item is `<scope>#<key>`. */
  scope: string;
  /** Milliseconds since the epoch (default Date.now); tests pass their own. */
  now?: () => number;
}

/** Conditional updates one decision may take before giving up (each failure proves another write moved `tat`). */
const MAX_ATTEMPTS = 4;

/** The `tat` of the item a refused condition returned (ALL_OLD, wire format), or undefined when there is none. */
const tatOf = (error: ConditionalCheckFailedException): number | undefined => {
  const value = error.Item?.tat?.N;
  return value === undefined ? undefined : Number(value);
};

/**
 * The RateLimiter on DynamoDB. Each attempt picks its update from the `tat`
 * last seen (none yet: the idle case, the likeliest) and lets the condition
 * decide; a refused condition hands back the current item, from which the
 * next attempt (or the refusal and its Retry-After) follows. `tat` only
 * grows while the item lives, so a second failure can only mean the burst
 * was used up meanwhile.
 */
export const buildDynamoRateLimiter = (options: DynamoRateLimiterOptions): RateLimiter => {
  const { client, tableName, scope } = options;
  const gcra = gcraOf(options.limit);
  const now = options.now ?? Date.now;
  return {
    async take(key) {
      const at = Math.floor(now());
      // The latest `tat` a write at `at` may leave: the TTL never deletes an item that still counts.
      const expiresAt = Math.ceil((at + gcra.toleranceMs + gcra.intervalMs) / 1000);
      const Key = { id: `${scope}#${key}` };
      let seen: number | undefined;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (!conforms(gcra, seen, at)) {
          return { allowed: false, retryAfterSeconds: retryAfterSeconds(gcra, seen as number, at) };
        }
        const idle = seen === undefined || seen <= at;
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key,
              ...(idle
                ? {
                    UpdateExpression: 'SET tat = :next, expiresAt = :expiresAt',
                    ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
                    ExpressionAttributeValues: {
                      ':next': at + gcra.intervalMs,
                      ':now': at,
                      ':expiresAt': expiresAt,
                    },
                  }
                : {
                    UpdateExpression: 'SET tat = tat + :interval, expiresAt = :expiresAt',
                    ConditionExpression: 'tat > :now AND tat <= :latest',
                    ExpressionAttributeValues: {
                      ':interval': gcra.intervalMs,
                      ':now': at,
                      ':latest': at + gcra.toleranceMs,
                      ':expiresAt': expiresAt,
                    },
                  }),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return { allowed: true };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          seen = tatOf(error);
        }
      }
      throw new Error(`${tableName}: no write-limit decision for ${Key.id} after ${MAX_ATTEMPTS} attempts`);
    },
  };
};
