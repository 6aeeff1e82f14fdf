import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { delay } from '@live-comments/shared';

/** The reason code of each item of a cancelled transaction, in order; undefined for any other error. */
export const cancellationCodes = (error: unknown): string[] | undefined =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None')
    : undefined;

/**
 * A write that met a transaction in progress on the same item: a single write
 * refused with TransactionConflictException, or a transaction cancelled with a
 * TransactionConflict reason. The SDK retries neither.
 */
const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionConflictException ||
  (cancellationCodes(error)?.includes('TransactionConflict') ?? false);

export interface ConflictRetryOptions {
  /** Calls before giving up (default 5). */
  maxAttempts?: number;
  /** Attempt n waits a random time below `baseDelayMs * 2 ** n` (default 25). */
  baseDelayMs?: number;
  /** The pause between attempts; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `call`, and again after a full-jitter pause while it meets a
 * transaction on the same item. A post's known-posts row is one such item:
 * every comment on it takes a number there (UpdateItem) and checks it in its
 * write's transaction, so comments arriving together on one post collide.
 */
export const retryOnConflict = async <T>(
  call: () => Promise<T>,
  { maxAttempts = 5, baseDelayMs = 25, sleep = delay }: ConflictRetryOptions = {},
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= maxAttempts) throw error;
      await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    }
  }
};
