import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BatchOptions,
  batchWriteAll,
  CONDITION_FAILED,
  type TransactItems,
  transactWrite,
} from '@live-comments/shared';
import type {
  CommentMark,
  CommentMarkerState,
  CountOutcome,
  UncountOutcome,
} from '../domain/counted-comment';
import type { CountedCommentsStore } from '../domain/ports';
import { counterUpdate, livePostCheck } from './posts-table';

/**
 * The counted-comments table (`${stage}-posts-counted-comments`, key postId +
 * commentId): one small marker per comment whose events the counter has seen,
 * `{ postId, commentId, state, eventId }`, `state` moving only forward (see
 * `../domain/counted-comment.ts`). Each move and the post's commentCount
 * change in one TransactWriteItems, and each is conditioned on the post being
 * live, so no marker is ever written for a deleted post and `forget` removes a
 * deleted post's markers for good.
 *
 * A table of its own rather than another item type in the posts table: the
 * posts table's key is `id` alone (a sort key cannot be added to a table in
 * place), so markers there would need composite ids and an index to be found
 * per post, and would sit among the posts in every scan and backup. Here a
 * post's markers are one Query on the partition, and the table's IAM
 * statement is exactly what the counter does.
 */
const COUNTED: CommentMarkerState = 'counted';
const DELETED: CommentMarkerState = 'deleted';

export interface CountedCommentsTableOptions extends BatchOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The posts table, whose commentCount moves in the same transaction as a marker. */
  postsTableName: string;
}

/** A marker's state as its item was when its condition refused the transaction (ALL_OLD), if it existed. */
const stateFound = (reason: CancellationReason | undefined): string | undefined => reason?.Item?.state?.S;

const refused = (reason: CancellationReason | undefined): boolean => reason?.Code === CONDITION_FAILED;

export const buildCountedCommentsTable = ({
  client,
  tableName,
  postsTableName,
  ...retries
}: CountedCommentsTableOptions): CountedCommentsStore => {
  const key = ({ postId, commentId }: CommentMark) => ({ postId, commentId });

  /**
   * Runs a transaction: nothing when it applied, the reason of each item when
   * a condition refused it (the move was made before, or the post is gone).
   * Any other cancellation (throttling, a conflict still there after the
   * retries, a validation error) is thrown, so the message is retried.
   */
  const run = async (items: TransactItems): Promise<CancellationReason[] | undefined> => {
    const cancelled = await transactWrite(client, items, { maxAttempts: 4, ...retries });
    if (!cancelled) return undefined;
    const reasons = cancelled.CancellationReasons ?? [];
    if (reasons.some(refused) && reasons.every((reason) => refused(reason) || reason.Code === 'None')) {
      return reasons;
    }
    throw cancelled;
  };

  /** Writes a marker where there is none. */
  const putMarker = (comment: CommentMark, state: CommentMarkerState) => ({
    Put: {
      TableName: tableName,
      Item: { ...key(comment), state, eventId: comment.eventId },
      ConditionExpression: 'attribute_not_exists(#commentId)',
      ExpressionAttributeNames: { '#commentId': 'commentId' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });

  /** Moves a counted marker to deleted. */
  const uncountMarker = (comment: CommentMark) => ({
    Update: {
      TableName: tableName,
      Key: key(comment),
      UpdateExpression: 'SET #state = :deleted, #eventId = :eventId',
      ConditionExpression: '#state = :counted',
      ExpressionAttributeNames: { '#state': 'state', '#eventId': 'eventId' },
      ExpressionAttributeValues: { ':deleted': DELETED, ':counted': COUNTED, ':eventId': comment.eventId },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });

  const commentCount = (comment: CommentMark, delta: number) => ({
    Update: counterUpdate(postsTableName, comment.postId, 'commentCount', delta),
  });

  return {
    count: async (comment): Promise<CountOutcome> => {
      const reasons = await run([putMarker(comment, COUNTED), commentCount(comment, 1)]);
      if (!reasons) return 'counted';
      if (refused(reasons[1])) return 'no-post';
      return stateFound(reasons[0]) === DELETED ? 'already-deleted' : 'already-counted';
    },

    uncount: async (comment): Promise<UncountOutcome> => {
      // At most twice round: a CommentCreated counted between the two transactions is uncounted by the second round.
      for (let round = 1; round <= 2; round++) {
        const reasons = await run([uncountMarker(comment), commentCount(comment, -1)]);
        if (!reasons) return 'uncounted';
        // Counted, but the post is gone (or, against the invariant, its count is already 0).
        if (!refused(reasons[0])) return 'no-post';
        if (stateFound(reasons[0]) === DELETED) return 'already-deleted';
        // No marker: the comment was never counted. The tombstone makes sure its CommentCreated never is.
        const tombstone = await run([
          putMarker(comment, DELETED),
          { ConditionCheck: livePostCheck(postsTableName, comment.postId) },
        ]);
        if (!tombstone) return 'deleted-before-counted';
        if (refused(tombstone[1])) return 'no-post';
        if (stateFound(tombstone[0]) === DELETED) return 'already-deleted';
      }
      throw new Error(`Comment ${comment.commentId} kept changing while its deletion was being counted`);
    },

    forget: async (postId, max) => {
      // Strongly consistent: every marker written before the post's tombstone is seen.
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#postId = :postId',
          ProjectionExpression: '#commentId',
          ExpressionAttributeNames: { '#postId': 'postId', '#commentId': 'commentId' },
          ExpressionAttributeValues: { ':postId': postId },
          ConsistentRead: true,
          Limit: max,
        }),
      );
      const deletes = Items.map((item) => ({
        DeleteRequest: { Key: { postId, commentId: item.commentId } },
      }));
      await batchWriteAll(client, tableName, deletes, retries.sleep ? { sleep: retries.sleep } : {});
      return LastEvaluatedKey === undefined;
    },
  };
};
