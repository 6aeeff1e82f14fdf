import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { delay } from '@live-comments/shared';

/** The code of an item whose ConditionExpression refused a transaction. */
export const CONDITION_FAILED = 'ConditionalCheckFailed';

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

export interface TransactOptions {
  /** Waits between attempts after a TransactionConflict; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
  /** Calls before a TransactionConflict is thrown (default 4). */
  maxAttempts?: number;
}

/** The code of each item's cancellation reason, in order ('None' for an item that was fine). */
export const reasonCodes = (cancelled: TransactionCanceledException): string[] =>
  (cancelled.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');

/**
 * Runs one TransactWriteItems. Answers nothing when it applied, and the
 * cancellation when DynamoDB cancelled it for reasons other than a conflict
 * (for the caller to read: a condition refused it, or something else). A
 * TransactionConflict (another transaction or write on one of its items at the
 * same moment: a popular post's counter) is retried with full-jitter backoff,
 * then thrown after `maxAttempts` calls, as is any other error.
 */
export const transactWrite = async (
  client: DynamoDBDocumentClient,
  items: TransactItems,
  { sleep = delay, maxAttempts = 4 }: TransactOptions = {},
): Promise<TransactionCanceledException | undefined> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (!reasonCodes(error).includes('TransactionConflict')) return error;
      if (attempt >= maxAttempts) throw error;
      await sleep(Math.random() * 25 * 2 ** attempt);
    }
  }
};
