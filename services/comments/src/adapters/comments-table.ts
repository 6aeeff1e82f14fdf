import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  batchWriteAll,
  cancellationCodes,
  isConditionalCheckFailed,
  retryOnConflict,
} from '@live-comments/shared';
import { allOutboxShards, type CommentRow, outboxShardOf } from '../domain/comment';
import type { Comments } from '../domain/ports';
import { LIVE_POST_CONDITION } from './known-posts-table';

/** Index names of the comments table (serverless.yml declares them). */
export const BY_ID_INDEX = 'byId';
export const UNPUBLISHED_INDEX = 'unpublished';
export const DELETED_BY_POST_INDEX = 'deletedByPost';

/** A page of live comments is filled from at most this many Queries when tombstones are filtered out. */
const MAX_LIST_ROUNDS = 5;
/**
 * Items a Query reads at least once a round met tombstones (kept a week, so
 * a run of them, after an abuse wave say, is common): five rounds of a small
 * page's size would return empty pages.
 */
const MIN_READ_PAST_TOMBSTONES = 100;

export interface CommentsTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The known-posts table, whose row of the post a new comment's transaction checks. */
  knownPostsTableName: string;
  /** Waits between retries: of unprocessed batch items, of transaction conflicts (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
  maxBatchAttempts?: number;
  maxConflictAttempts?: number;
}

const ignoreConditionFailure = (error: unknown): void => {
  if (!isConditionalCheckFailed(error)) throw error;
};

const asRow = (item: Record<string, unknown>): CommentRow => item as unknown as CommentRow;

/**
 * The comments table: one item per comment, key (postId, seq), so a post's
 * comments come back in order from one Query. Index `byId` (keys only) finds a
 * comment from its id; the sparse index `unpublished` (outboxShard,
 * pendingSince) holds only rows that still owe an event; the sparse index
 * `deletedByPost` (postId, deletedAt; projects id and authorId) holds only
 * tombstones.
 */
export const buildCommentsTable = ({
  client,
  tableName,
  knownPostsTableName,
  sleep,
  maxBatchAttempts,
  maxConflictAttempts,
}: CommentsTableOptions): Comments => {
  // Unprocessed deletions are retried after a random pause below 50 ms * 2^attempt.
  const batchOptions = { sleep, maxAttempts: maxBatchAttempts, baseDelayMs: 50 };
  const conflictOptions = { sleep, maxAttempts: maxConflictAttempts };
  const keyOf = (row: { postId: string; seq: number }) => ({ postId: row.postId, seq: row.seq });

  return {
    insert: async (row) => {
      try {
        await retryOnConflict(
          () =>
            client.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Put: {
                      TableName: tableName,
                      Item: row,
                      ConditionExpression: 'attribute_not_exists(seq)',
                    },
                  },
                  // Deleted since the number was taken: no comment is stored (PostDeleted removes the rest).
                  {
                    ConditionCheck: {
                      TableName: knownPostsTableName,
                      Key: { postId: row.postId },
                      ConditionExpression: LIVE_POST_CONDITION,
                    },
                  },
                ],
              }),
            ),
          conflictOptions,
        );
        return 'inserted';
      } catch (error) {
        // DynamoDB evaluates every condition of a cancelled transaction and reports each, in order.
        if (cancellationCodes(error)?.[1] === 'ConditionalCheckFailed') return 'no-post';
        throw error;
      }
    },

    list: async (postId, { afterSeq, limit }) => {
      const rows: CommentRow[] = [];
      let after = afterSeq;
      for (let round = 0; round < MAX_LIST_ROUNDS; round++) {
        const wanted = limit - rows.length;
        const out = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'postId = :postId AND seq > :after',
            // Tombstones (kept a week for the deletions list) are gone to readers.
            FilterExpression: 'attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: { ':postId': postId, ':after': after },
            ScanIndexForward: true,
            Limit: round === 0 ? wanted : Math.max(wanted, MIN_READ_PAST_TOMBSTONES),
          }),
        );
        const items = (out.Items ?? []).map(asRow);
        const taken = items.slice(0, wanted);
        rows.push(...taken);
        // More than the page holds: it ends at the last one taken, the rest is read again next page.
        const lastTaken = taken.at(-1);
        if (items.length > wanted && lastTaken) return { rows, lastSeq: lastTaken.seq };
        const lastKey = out.LastEvaluatedKey;
        if (!lastKey) return { rows };
        after = Number(lastKey.seq);
        if (rows.length >= limit) break;
      }
      return { rows, lastSeq: after };
    },

    findById: async (commentId) => {
      const found = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: BY_ID_INDEX,
          KeyConditionExpression: 'id = :id',
          ExpressionAttributeValues: { ':id': commentId },
          Limit: 1,
        }),
      );
      const key = found.Items?.[0];
      if (!key) return undefined;
      // The index is keys only and eventually consistent; the row itself is read consistently.
      const out = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { postId: key.postId, seq: key.seq },
          ConsistentRead: true,
        }),
      );
      return out.Item ? asRow(out.Item) : undefined;
    },

    markDeleted: async (row, { deletedAt, deleteEventId, deleteCorrelationId }) => {
      try {
        const out = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(row),
            UpdateExpression:
              'SET deletedAt = :deletedAt, deleteEventId = :deleteEventId, deleteCorrelationId = :correlationId, outboxShard = :shard, pendingSince = :deletedAt',
            ConditionExpression: 'attribute_exists(seq) AND attribute_not_exists(deletedAt)',
            ExpressionAttributeValues: {
              ':deletedAt': deletedAt,
              ':deleteEventId': deleteEventId,
              ':correlationId': deleteCorrelationId,
              ':shard': outboxShardOf(row.seq),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ? asRow(out.Attributes) : undefined;
      } catch (error) {
        ignoreConditionFailure(error);
        return undefined;
      }
    },

    settleCreated: async (row) => {
      const clearPending = (update: string, condition: string) =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(row),
            UpdateExpression: update,
            // Never recreate a row that is gone (UpdateItem would), nor settle another event.
            ConditionExpression: condition,
            ExpressionAttributeValues: { ':eventId': row.eventId },
          }),
        );
      try {
        if (!row.deletedAt) {
          try {
            await clearPending(
              'REMOVE publishState, outboxShard, pendingSince',
              'eventId = :eventId AND attribute_not_exists(deletedAt)',
            );
            return;
          } catch (error) {
            // Deleted meanwhile: the row stays in the outbox for its CommentDeleted.
            ignoreConditionFailure(error);
          }
        }
        await clearPending('REMOVE publishState', 'eventId = :eventId');
      } catch (error) {
        ignoreConditionFailure(error);
      }
    },

    settleDeleted: async (row, expiresAt) => {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(row),
            UpdateExpression:
              'SET expiresAt = :expiresAt REMOVE body, publishState, outboxShard, pendingSince',
            // Never recreate a row that is gone (the post was deleted), nor settle another deletion.
            ConditionExpression: 'deleteEventId = :deleteEventId',
            ExpressionAttributeValues: { ':deleteEventId': row.deleteEventId, ':expiresAt': expiresAt },
          }),
        );
      } catch (error) {
        ignoreConditionFailure(error);
      }
    },

    listDeleted: async (postId, { since, after, limit }) => {
      const out = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: DELETED_BY_POST_INDEX,
          KeyConditionExpression: 'postId = :postId AND deletedAt > :since',
          ExpressionAttributeValues: { ':postId': postId, ':since': since },
          ScanIndexForward: true,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { postId, deletedAt: after.deletedAt, seq: after.seq } } : {}),
        }),
      );
      // Named one by one: only what CommentDeleted carries leaves the table.
      const deletions = (out.Items ?? []).map((item) => ({
        id: String(item.id),
        postId: String(item.postId),
        authorId: String(item.authorId),
        seq: Number(item.seq),
        deletedAt: String(item.deletedAt),
      }));
      const lastKey = out.LastEvaluatedKey;
      return lastKey
        ? { deletions, last: { deletedAt: String(lastKey.deletedAt), seq: Number(lastKey.seq) } }
        : { deletions };
    },

    pendingSince: async (before, limit) => {
      const rows: CommentRow[] = [];
      for (const shard of allOutboxShards()) {
        if (rows.length >= limit) break;
        const pages = paginateQuery(
          { client, pageSize: limit },
          {
            TableName: tableName,
            IndexName: UNPUBLISHED_INDEX,
            KeyConditionExpression: 'outboxShard = :shard AND pendingSince < :before',
            ExpressionAttributeValues: { ':shard': shard, ':before': before },
          },
        );
        for await (const page of pages) {
          rows.push(...(page.Items ?? []).map(asRow));
          if (rows.length >= limit) break;
        }
      }
      return rows.slice(0, limit);
    },

    removeAllOf: async (postId) => {
      let removed = 0;
      const pages = paginateQuery(
        { client, pageSize: 100 },
        {
          TableName: tableName,
          KeyConditionExpression: 'postId = :postId',
          ExpressionAttributeValues: { ':postId': postId },
          ProjectionExpression: 'postId, seq',
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        const deletions = (page.Items ?? []).map((item) => ({
          DeleteRequest: { Key: { postId: String(item.postId), seq: Number(item.seq) } },
        }));
        await batchWriteAll(client, tableName, deletions, batchOptions);
        removed += deletions.length;
      }
      return removed;
    },
  };
};
