/**
 * DynamoDB patterns every adapter needs, written once: recognising a refused
 * condition, and the batch calls whose unprocessed items must be retried with
 * jittered exponential backoff (DynamoDB returns them under throttling; a
 * fixed pause makes every throttled container retry in lockstep).
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { delay } from './delay';

/** True when a write was refused by its ConditionExpression (the SDK's modelled exception). */
export const isConditionalCheckFailed = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException;

/** BatchWriteItem takes at most 25 requests, BatchGetItem 100 keys. */
export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;

export interface BatchOptions {
  /** Calls for one chunk before giving up (default 5). */
  maxAttempts?: number;
  /** Base of the backoff: attempt n waits a random time below `baseDelayMs * 2 ** n` (default 25). */
  baseDelayMs?: number;
  /** The pause between attempts; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
type Key = Record<string, unknown>;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
};

/** Retries `call` on what it leaves unprocessed, with full-jitter backoff, until nothing is left. */
const untilProcessed = async <T>(
  pending: T[],
  call: (items: T[]) => Promise<T[]>,
  what: string,
  { maxAttempts = 5, baseDelayMs = 25, sleep = delay }: BatchOptions,
): Promise<void> => {
  let left = pending;
  for (let attempt = 1; left.length > 0; attempt++) {
    if (attempt > maxAttempts) {
      throw new Error(`${what}: ${left.length} items still unprocessed after ${maxAttempts} attempts`);
    }
    if (attempt > 1) await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    left = await call(left);
  }
};

/** Writes every request (puts or deletes) to one table, 25 per call, retrying unprocessed ones. */
export const batchWriteAll = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchOptions = {},
): Promise<void> => {
  for (const chunk of chunks(requests, BATCH_WRITE_LIMIT)) {
    await untilProcessed(
      chunk,
      async (items) => {
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
        return (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      },
      `BatchWriteItem on ${tableName}`,
      options,
    );
  }
};

/**
 * Reads every key of one table, 100 per call, retrying unprocessed keys. Items
 * come back in no particular order (as BatchGetItem returns them); missing
 * keys are simply absent.
 */
export const batchGetAll = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: BatchOptions & { projection?: string; names?: Record<string, string> } = {},
): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  for (const chunk of chunks(keys, BATCH_GET_LIMIT)) {
    await untilProcessed(
      chunk,
      async (items) => {
        const out: BatchGetCommandOutput = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: items,
                ...(options.projection ? { ProjectionExpression: options.projection } : {}),
                ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
              },
            },
          }),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        return (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
      },
      `BatchGetItem on ${tableName}`,
      options,
    );
  }
  return found;
};

/** The code of an item whose ConditionExpression refused a transaction. */
export const CONDITION_FAILED = 'ConditionalCheckFailed';

/** The reason code of each item of a cancelled transaction, in order ('None' for an item that was fine); undefined for any other error. */
export const cancellationCodes = (error: unknown): string[] | undefined =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None')
    : undefined;

/**
 * A write that met a transaction in progress on the same item: a single write
 * refused with TransactionConflictException, or a transaction cancelled with a
 * TransactionConflict reason. The SDK retries neither.
 */
export const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionConflictException ||
  (cancellationCodes(error)?.includes('TransactionConflict') ?? false);

/**
 * Runs `call`, and again after a full-jitter pause while it meets a
 * transaction on the same item (a popular post's counter or known-posts row:
 * every comment or favorite on it writes there), up to `maxAttempts` calls
 * (default 5), then throws the conflict. Any other error is thrown at once.
 */
export const retryOnConflict = async <T>(
  call: () => Promise<T>,
  { maxAttempts = 5, baseDelayMs = 25, sleep = delay }: BatchOptions = {},
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

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Runs one TransactWriteItems, retrying conflicts as `retryOnConflict` does.
 * Answers nothing when it applied, and the cancellation when DynamoDB
 * cancelled it for another reason (for the caller to read: a condition
 * refused it, or something else); any other error is thrown.
 */
export const transactWrite = async (
  client: DynamoDBDocumentClient,
  items: TransactItems,
  options: BatchOptions = {},
): Promise<TransactionCanceledException | undefined> => {
  try {
    await retryOnConflict(() => client.send(new TransactWriteCommand({ TransactItems: items })), options);
    return undefined;
  } catch (error) {
    if (error instanceof TransactionCanceledException && !isTransactionConflict(error)) return error;
    throw error;
  }
};
