import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '@live-comments/shared';
import type { KnownPosts } from '../domain/ports';

export interface KnownPostsTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The known-posts table (`<stage>-comments-posts`): one row per post the posts
 * service announced, key postId, with its author, times, a `deletedAt`
 * tombstone once deleted, and `nextSeq`, the post's comment counter.
 */
export const buildKnownPostsTable = ({ client, tableName }: KnownPostsTableOptions): KnownPosts => ({
  takeNextSeq: async (postId) => {
    try {
      const out = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { postId },
          // ADD is atomic: concurrent comments on one post each get their own number.
          UpdateExpression: 'ADD nextSeq :one',
          ConditionExpression: 'attribute_exists(postId) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
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
