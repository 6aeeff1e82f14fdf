/**
 * A readers-writer gate in front of dynalite. Ordinary requests are "shared":
 * they run concurrently, as dynalite's per-item locks allow. A transaction is
 * "exclusive": it waits for the shared requests in flight, then runs alone, so
 * nothing interleaves with its reads, writes and rollback.
 *
 * A queued transaction closes the gate to new shared requests (else a steady
 * stream of ordinary requests would starve it); they wait until no transaction
 * is queued or running. Transactions run one after another, in arrival order.
 *
 * The shared path is on the hot path of every DynamoDB call: when no
 * transaction is around it costs two counter updates and one `then`, no await.
 */

export interface Gate {
  /** Runs `run(arg)` alongside other shared runs, never during an exclusive one. */
  shared<A, T>(run: (arg: A) => Promise<T>, arg: A): Promise<T>;
  /** Runs `run` alone: after the shared runs in flight and the exclusive runs queued before it. */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
}

export function createGate(): Gate {
  /** Shared runs in progress. */
  let inFlight = 0;
  /** Exclusive runs queued or running; while above 0, shared runs wait. */
  let exclusiveQueued = 0;
  /** Settles when the exclusive run before the next one has finished. */
  let lastExclusive: Promise<void> = Promise.resolve();
  /** Wakes the exclusive run waiting for the shared runs in flight to finish. */
  let onDrained: (() => void) | undefined;
  /** Shared runs waiting for the gate to open, and how to wake them. */
  let reopened: Promise<void> | undefined;
  let reopen: (() => void) | undefined;

  const leave = () => {
    inFlight--;
    if (inFlight === 0 && onDrained) {
      const wake = onDrained;
      onDrained = undefined;
      wake();
    }
  };

  const waitForReopen = (): Promise<void> => {
    if (!reopened) reopened = new Promise((resolve) => (reopen = resolve));
    return reopened;
  };

  const shared = <A, T>(run: (arg: A) => Promise<T>, arg: A): Promise<T> => {
    // Re-checked after waking: another transaction may have queued meanwhile.
    if (exclusiveQueued > 0) return waitForReopen().then(() => shared(run, arg));
    inFlight++;
    let result: Promise<T>;
    try {
      result = run(arg);
    } catch (error) {
      leave();
      return Promise.reject(error);
    }
    result.then(leave, leave);
    return result;
  };

  const exclusive = async <T>(run: () => Promise<T>): Promise<T> => {
    exclusiveQueued++;
    const previous = lastExclusive;
    let finished!: () => void;
    lastExclusive = new Promise((resolve) => (finished = resolve));
    try {
      await previous;
      if (inFlight > 0) await new Promise<void>((resolve) => (onDrained = resolve));
      return await run();
    } finally {
      finished();
      exclusiveQueued--;
      if (exclusiveQueued === 0 && reopen) {
        const wake = reopen;
        reopened = undefined;
        reopen = undefined;
        wake();
      }
    }
  };

  return { shared, exclusive };
}
