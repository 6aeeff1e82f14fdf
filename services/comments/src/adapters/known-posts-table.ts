import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, retryOnConflict } from '@live-comments/shared';
import type { KnownPosts } from '../domain/ports';

export interface KnownPostsTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Waits between retries of a transaction conflict (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
  maxConflictAttempts?: number;
}

/**
 * The known-posts table (`<stage>-comments-posts`): one row per post the posts
 * service announced, key postId, with its author, times, a `deletedAt`
 * tombstone once deleted, and `nextSeq`, the post's comment counter.
 */
/** A known-posts row of a live post: recorded, and its deletion not (a new comment's number and its write check it). */
export const LIVE_POST_CONDITION = 'attribute_exists(postId) AND attribute_not_exists(deletedAt)';

export const buildKnownPostsTable = ({
  client,
  tableName,
  sleep,
  maxConflictAttempts,
}: KnownPostsTableOptions): KnownPosts => ({
  takeNextSeq: async (postId) => {
    try {
      // Another comment's transaction may be checking this row at the same moment.
      const out = await retryOnConflict(
        () =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { postId },
              // ADD is atomic: concurrent comments on one post each get their own number.
              UpdateExpression: 'ADD nextSeq :one',
              ConditionExpression: LIVE_POST_CONDITION,
              ExpressionAttributeValues: { ':one': 1 },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        { sleep, maxAttempts: maxConflictAttempts },
      );
      const seq = out.Attributes?.nextSeq;
      if (typeof seq !== 'number') throw new Error(`No nextSeq returned for post ${postId}`);
      return seq;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  },

  recordPost: async ({ id, authorId, createdAt, updatedAt }) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { postId: id },
          UpdateExpression: 'SET authorId = :authorId, createdAt = :createdAt, updatedAt = :updatedAt',
          // Out-of-order delivery: an older version, or any version of a deleted post, changes nothing.
          ConditionExpression:
            'attribute_not_exists(deletedAt) AND (attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt)',
          ExpressionAttributeValues: {
            ':authorId': authorId,
            ':createdAt': createdAt,
            ':updatedAt': updatedAt,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  },

  recordPostIfUnknown: async ({ id, authorId, createdAt, updatedAt }) => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { postId: id, authorId, createdAt, updatedAt },
          // Only where no event wrote first: a PostDeleted's tombstone, or a newer PostUpdated, stays.
          ConditionExpression: 'attribute_not_exists(postId)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  },

  isDeleted: async (postId) => {
    const out = await client.send(
      new GetCommand({ TableName: tableName, Key: { postId }, ProjectionExpression: 'deletedAt' }),
    );
    return out.Item?.deletedAt !== undefined;
  },

  markPostDeleted: async ({ id, authorId, deletedAt }) => {
    // Kept as a tombstone: a PostCreated delivered after the PostDeleted must not revive the post.
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { postId: id },
        UpdateExpression:
          'SET deletedAt = if_not_exists(deletedAt, :deletedAt), authorId = if_not_exists(authorId, :authorId)',
        ExpressionAttributeValues: { ':deletedAt': deletedAt, ':authorId': authorId },
      }),
    );
  },
});
