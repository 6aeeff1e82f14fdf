import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '@live-comments/shared';
import { z } from 'zod';
import type { Favorite, FavoritesStore } from '../domain/favorites';
import { postId } from '../domain/posts';
import { isConditionalCheckFailed, names } from './dynamo';

/**
 * The favorites table (`${stage}-favorites`): key userId + postId, so a
 * favorite exists at most once; the `byFavoritedAt` local index lists a user's
 * favorites newest first.
 */
export const FAVORITES_INDEX = 'byFavoritedAt';

/** Each user's list has its own cursor scope: another user's cursor is a 400. */
export const favoritesCursorScope = (userId: string): string => `favorites:${userId}`;

const favoriteItem = z.object({ postId: z.string(), favoritedAt: z.string() });

export interface FavoritesTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export const buildFavoritesTable = ({ client, tableName }: FavoritesTableOptions): FavoritesStore => ({
  add: async (userId, favorite) => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { userId, postId: favorite.postId, favoritedAt: favorite.favoritedAt },
          ConditionExpression: 'attribute_not_exists(#postId)',
          ExpressionAttributeNames: names('postId'),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  },

  remove: async (userId, postIdToRemove) => {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { userId, postId: postIdToRemove },
          ConditionExpression: 'attribute_exists(#postId)',
          ExpressionAttributeNames: names('postId'),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  },

  list: async (userId, { limit, cursor }) => {
    const scope = favoritesCursorScope(userId);
    const cursorKey = z.strictObject({
      userId: z.literal(userId),
      postId,
      favoritedAt: z.iso.datetime(),
    });
    const { Items, LastEvaluatedKey } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: FAVORITES_INDEX,
        KeyConditionExpression: '#userId = :userId',
        ExpressionAttributeNames: names('userId'),
        ExpressionAttributeValues: { ':userId': userId },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, scope, cursorKey) } : {}),
      }),
    );
    const items: Favorite[] = (Items ?? []).map((item) => favoriteItem.parse(item));
    return {
      items: items.map(({ postId: id, favoritedAt }) => ({ postId: id, favoritedAt })),
      nextCursor: LastEvaluatedKey ? encodeCursor(scope, LastEvaluatedKey) : null,
    };
  },
});
