import type { FrameSender } from './ports';
import type { SendRate, SendTurn } from './send-rate';

/**
 * How long a frame is worth sending: 15 minutes after its event occurred
 * (`occurredAt`). Until then a frame that could not be sent (throttled, 5xx,
 * network, timeout) is tried again, in the invocation or in a continuation;
 * after it, a failed frame is abandoned (counted `FramesAbandoned`, logged),
 * as the comment is no longer news: a client that missed it reads it with
 * `?afterSeq=` when it reconnects or reloads. It is also SQS's longest delay
 * (DelaySeconds 900): a continuation never has to wait beyond it.
 */
export const FRAME_DEADLINE_MS = 15 * 60_000;

/** When a frame of an event stops being retried. */
export const deadlineOf = (occurredAt: string): number => Date.parse(occurredAt) + FRAME_DEADLINE_MS;

export interface DeliveryPolicy {
  /** `@connections` calls in flight at once. */
  concurrency: number;
  /** Attempts per frame and invocation for 5xx, network errors and timeouts (429s do not count: the rate handles them). */
  maxAttempts: number;
  /** Full-jitter exponential backoff between those attempts: up to base x 2^attempt ms. */
  retryBaseDelayMs: number;
}

export interface DeliveryDeps {
  sendFrame: FrameSender;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Told of each closed connection (410) before its turn is given back; the prune. */
  onGone?: (connectionId: string) => Promise<void>;
  random?: () => number;
}

export interface DeliveryJob {
  frame: string;
  connectionIds: readonly string[];
  /** The invocation's rate, shared with every other send of the invocation. */
  rate: SendRate;
  /** No send starts at or after this time (epoch ms): the invocation's budget. */
  until: number;
  /** After this time (epoch ms) a failed frame is abandoned instead of retried. */
  deadline: number;
}

export interface DeliveryReport {
  delivered: number;
  /** Closed connections (410): pruned through `onGone`. */
  gone: number;
  /** Frames tried and not delivered here (they are in `unsent` or `abandoned`). */
  failed: number;
  /** 429 answers. */
  throttled: number;
  /** Frames still to send: not delivered within the budget or the attempts, before the deadline. */
  unsent: string[];
  /** Frames given up: failed past the deadline, or refused for good (a 4xx other than 410 and 429). */
  abandoned: { connectionId: string; reason: 'deadline' | 'rejected' }[];
}

interface Pending {
  connectionId: string;
  /** Failed attempts (5xx, network, timeout) so far in this invocation. */
  failures: number;
}

interface Waiting extends Pending {
  readyAt: number;
}

/**
 * Sends one frame to many connections at the invocation's rate, at most
 * `concurrency` at a time, until each is delivered, gone, out of attempts
 * or the budget ends. One loop takes every turn from the shared rate, so a
 * throttled frame waits its turn again rather than backing off on its own.
 * Never throws (the sender does not); what is left is in the report.
 */
export const deliverFrame = async (
  deps: DeliveryDeps,
  policy: DeliveryPolicy,
  job: DeliveryJob,
): Promise<DeliveryReport> => {
  const { frame, connectionIds, rate, until, deadline } = job;
  const random = deps.random ?? Math.random;
  const report: DeliveryReport = {
    delivered: 0,
    gone: 0,
    failed: 0,
    throttled: 0,
    unsent: [],
    abandoned: [],
  };
  /** Frames tried and not (yet) delivered: each counts once in `failed`, however often it failed. */
  const failing = new Set<string>();
  /** First attempts: connectionIds[next...]. */
  let next = 0;
  /** Due again now (throttled, or backed off long enough), in order. */
  const due: Pending[] = [];
  let dueHead = 0;
  /** Backing off after a 5xx, network error or timeout. */
  let waiting: Waiting[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settled = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });

  const tryAgain = (pending: Pending, readyAt?: number) => {
    if (deps.now() >= deadline)
      report.abandoned.push({ connectionId: pending.connectionId, reason: 'deadline' });
    else if (readyAt === undefined) due.push(pending);
    else waiting.push({ ...pending, readyAt });
  };

  const settle = (pending: Pending, outcome: Awaited<ReturnType<FrameSender>>, turn: SendTurn) => {
    const { connectionId } = pending;
    if (outcome === 'delivered' || outcome === 'gone') {
      if (outcome === 'delivered') {
        rate.succeeded();
        report.delivered++;
      } else {
        report.gone++;
      }
      if (failing.size > 0 && failing.delete(connectionId)) report.failed--;
      return;
    }
    if (!failing.has(connectionId)) {
      failing.add(connectionId);
      report.failed++;
    }
    if (outcome === 'throttled') {
      report.throttled++;
      rate.throttled(turn);
      // Straight back in line: the shared rate, not a backoff of its own, decides when it goes again.
      tryAgain(pending);
    } else if (outcome === 'rejected') {
      report.abandoned.push({ connectionId, reason: 'rejected' });
    } else {
      const failures = pending.failures + 1;
      if (failures < policy.maxAttempts) {
        tryAgain({ connectionId, failures }, deps.now() + random() * policy.retryBaseDelayMs * 2 ** failures);
      } else if (deps.now() >= deadline) {
        report.abandoned.push({ connectionId, reason: 'deadline' });
      } else {
        report.unsent.push(connectionId);
      }
    }
  };

  const send = async (pending: Pending, turn: SendTurn) => {
    try {
      let outcome: Awaited<ReturnType<FrameSender>>;
      try {
        outcome = await deps.sendFrame(pending.connectionId, frame);
      } catch {
        outcome = 'failed';
      }
      if (outcome === 'gone') await deps.onGone?.(pending.connectionId);
      settle(pending, outcome, turn);
    } finally {
      inFlight--;
      wake?.();
    }
  };

  /** Moves the retries whose backoff is over to `due`; returns when the next one will be. */
  const promote = (): number => {
    if (waiting.length === 0) return Number.POSITIVE_INFINITY;
    const at = deps.now();
    let earliest = Number.POSITIVE_INFINITY;
    const still: Waiting[] = [];
    for (const item of waiting) {
      if (item.readyAt <= at) due.push({ connectionId: item.connectionId, failures: item.failures });
      else {
        still.push(item);
        earliest = Math.min(earliest, item.readyAt);
      }
    }
    waiting = still;
    return earliest;
  };

  for (;;) {
    if (deps.now() >= until) break;
    if (inFlight >= policy.concurrency) {
      await settled();
      continue;
    }
    const nextReadyAt = promote();
    let pending: Pending | undefined;
    let fresh = false;
    if (dueHead < due.length) pending = due[dueHead++];
    else if (next < connectionIds.length) {
      pending = { connectionId: connectionIds[next++] as string, failures: 0 };
      fresh = true;
    }
    if (!pending) {
      if (waiting.length === 0) {
        if (inFlight === 0) break;
        await settled();
        continue;
      }
      // Only retries backing off: wait for the first of them (or for a send to settle).
      const waitMs = Math.min(nextReadyAt, until) - deps.now();
      const slept =
        inFlight === 0
          ? await deps.sleep(waitMs).then(() => true)
          : await Promise.race([settled().then(() => false), deps.sleep(waitMs).then(() => true)]);
      // Their time has come, whatever the clock says after the sleep.
      if (slept) {
        for (const item of waiting) if (item.readyAt <= nextReadyAt) item.readyAt = Number.NEGATIVE_INFINITY;
      }
      continue;
    }
    const turn = rate.reserve(until);
    if (!turn) {
      if (fresh) next--;
      else dueHead--;
      break;
    }
    // Timers are no finer than a millisecond: a turn due within one goes now.
    if (turn.waitMs >= 1) await deps.sleep(turn.waitMs);
    inFlight++;
    void send(pending, turn);
  }
  while (inFlight > 0) await settled();

  // What the budget left: never tried, or waiting for another try.
  for (const connectionId of connectionIds.slice(next)) report.unsent.push(connectionId);
  for (const pending of [...due.slice(dueHead), ...waiting]) {
    if (deps.now() >= deadline)
      report.abandoned.push({ connectionId: pending.connectionId, reason: 'deadline' });
    else report.unsent.push(pending.connectionId);
  }
  return report;
};
