/**
 * API Gateway's throttling algorithm: a bucket of `burst` tokens, refilled at
 * `ratePerSecond`, full at the start; a request takes a token or is throttled.
 * Refilled lazily on each take (one clock read and a few additions), so it
 * costs next to nothing on the gateway's hot path.
 */
export interface TokenBucket {
  /** Takes a token: true if the request may pass, false if it is throttled. */
  take(): boolean;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds, monotonic (default performance.now). */
  now?: () => number;
}

/** A bucket that never throttles: for limits set to Infinity. */
const UNLIMITED: TokenBucket = { take: () => true };

export const createTokenBucket = (options: TokenBucketOptions): TokenBucket => {
  const { ratePerSecond, burst } = options;
  if (ratePerSecond === Number.POSITIVE_INFINITY) return UNLIMITED;
  const now = options.now ?? (() => performance.now());
  const perMs = ratePerSecond / 1000;
  let tokens = burst;
  let last = now();
  return {
    take() {
      const at = now();
      if (at > last) {
        tokens = Math.min(burst, tokens + (at - last) * perMs);
        last = at;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
};
