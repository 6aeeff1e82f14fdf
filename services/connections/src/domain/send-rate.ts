/**
 * The pace of an invocation's `@connections` calls: one adaptive rate that
 * every send of the invocation takes its turn from (all pages, all topics,
 * first attempts and retries alike), so throttling slows the whole
 * invocation down instead of each frame backing off on its own.
 *
 * AIMD: the rate halves when a send is throttled (429) and grows by
 * `increasePerSecond` for every second of sends that succeed (each success
 * adds `increasePerSecond / rate`). Only a send started at the current rate
 * can halve it: the 429s of sends already in flight when it was halved say
 * nothing about the new rate, so one burst of throttling halves it once, not
 * once per frame of the burst.
 */
export interface SendRateOptions {
  /** Sends per second at the start of an invocation. */
  initialPerSecond: number;
  /** Never slower than this. */
  minPerSecond: number;
  /** Never faster than this. */
  maxPerSecond: number;
  /** Additive increase: sends per second gained per second of successful sends. */
  increasePerSecond: number;
  /**
   * How far ahead of its even spacing a turn may start (ms): timers are no
   * finer than a millisecond and answers come back in batches, so a strict
   * spacing would fall short of the rate. At 10,000 a second 5 ms is 50
   * turns at once; at 100 a second, none.
   */
  slackMs: number;
}

/** API Gateway's default account limit for `@connections` (and the HTTP and WebSocket APIs): 10,000 per second. */
export const ACCOUNT_REQUESTS_PER_SECOND = 10_000;

/**
 * A cold invocation starts at the account's limit (nothing is faster) and
 * finds its share from the first 429s: halving takes it from 10,000 to a
 * share of 100 per second in 7 round trips; a warm one starts where the
 * previous invocation of its environment left off (`resumed`). It regains
 * 500 per second every second.
 */
export const DEFAULT_SEND_RATE: SendRateOptions = {
  initialPerSecond: ACCOUNT_REQUESTS_PER_SECOND,
  minPerSecond: 10,
  maxPerSecond: ACCOUNT_REQUESTS_PER_SECOND,
  increasePerSecond: 500,
  slackMs: 5,
};

/** A reserved turn: wait `waitMs`, then send; `epoch` identifies the rate it was taken at. */
export interface SendTurn {
  waitMs: number;
  epoch: number;
}

export interface SendRate {
  /** Sends per second now. */
  readonly perSecond: number;
  /** Reserves the next turn, or returns undefined (reserving nothing) when it would start at or after `until`. */
  reserve(until: number): SendTurn | undefined;
  /** A send of this turn was throttled: halves the rate, once per epoch. */
  throttled(turn: SendTurn): void;
  /** A send was accepted: the rate grows additively. */
  succeeded(): void;
  /**
   * Where the next invocation of this execution environment starts: this
   * rate, grown additively for the time since its last turn, as if its
   * sends had gone on succeeding (a warm container does not begin again at
   * the top and find its share once more; one idle for long enough does).
   */
  resumed(): number;
}

/**
 * The rate as evenly spaced turns (a pacer, GCRA: each turn is due one
 * interval after the previous one, and may start up to `slackMs` early; an
 * idle pacer earns no more burst than that).
 */
export const createSendRate = (now: () => number, options: SendRateOptions): SendRate => {
  let perSecond = Math.min(options.maxPerSecond, Math.max(options.minPerSecond, options.initialPerSecond));
  let epoch = 0;
  let nextTurnAt = Number.NEGATIVE_INFINITY;
  let lastTurnAt: number | undefined;
  return {
    get perSecond() {
      return perSecond;
    },
    reserve(until) {
      const at = now();
      const due = Math.max(at, nextTurnAt);
      const start = Math.max(at, due - options.slackMs);
      if (start >= until) return undefined;
      lastTurnAt = start;
      nextTurnAt = due + 1000 / perSecond;
      return { waitMs: start - at, epoch };
    },
    throttled(turn) {
      if (turn.epoch !== epoch) return;
      epoch++;
      perSecond = Math.max(options.minPerSecond, perSecond / 2);
    },
    succeeded() {
      perSecond = Math.min(options.maxPerSecond, perSecond + options.increasePerSecond / perSecond);
    },
    resumed() {
      const idleSeconds = lastTurnAt === undefined ? 0 : Math.max(0, now() - lastTurnAt) / 1000;
      return Math.min(options.maxPerSecond, perSecond + options.increasePerSecond * idleSeconds);
    },
  };
};
