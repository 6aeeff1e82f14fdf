import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BatchOptions,
  CONDITION_FAILED,
  cancellationCodes,
  decodeCursor,
  encodeCursor,
  isConditionalCheckFailed,
  type TransactItems,
  transactWrite,
} from '@live-comments/shared';
import { z } from 'zod';
import type { Favorite } from '../domain/favorite';
import type { FavoritesStore } from '../domain/ports';
import { postId } from '../domain/post';
import { counterUpdate } from './posts-table';

/**
 * The favorites table (`${stage}-favorites`): key userId + postId, so a
 * favorite exists at most once; the `byFavoritedAt` local index lists a user's
 * favorites newest first.
 */
export const FAVORITES_INDEX = 'byFavoritedAt';

/** Each user's list has its own cursor scope: another user's cursor is a 400. */
export const favoritesCursorScope = (userId: string): string => `favorites:${userId}`;

const favoriteItem = z.object({ postId: z.string(), favoritedAt: z.string() });

export interface FavoritesTableOptions extends BatchOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The posts table, whose favoriteCount moves in the same transaction as the favorite. */
  postsTableName: string;
}

export const buildFavoritesTable = ({
  client,
  tableName,
  postsTableName,
  ...retries
}: FavoritesTableOptions): FavoritesStore => {
  const favoriteKey = (userId: string, postIdOfFavorite: string) => ({ userId, postId: postIdOfFavorite });

  /**
   * Runs a transaction; answers the cancellation codes when it was cancelled,
   * nothing when it applied. A conflict with another transaction on the same
   * post (a popular post favorited by many at once) is retried with jittered
   * backoff.
   */
  const transact = async (items: TransactItems): Promise<string[] | undefined> => {
    const cancelled = await transactWrite(client, items, { maxAttempts: 4, ...retries });
    return cancelled && cancellationCodes(cancelled);
  };

  return {
    add: async (userId, favorite) => {
      const codes = await transact([
        {
          Put: {
            TableName: tableName,
            Item: { ...favoriteKey(userId, favorite.postId), favoritedAt: favorite.favoritedAt },
            ConditionExpression: 'attribute_not_exists(#postId)',
            ExpressionAttributeNames: { '#postId': 'postId' },
          },
        },
        { Update: counterUpdate(postsTableName, favorite.postId, 'favoriteCount', 1) },
      ]);
      if (!codes) return 'added';
      // DynamoDB evaluates every condition of a cancelled transaction and reports each.
      if (codes[1] === CONDITION_FAILED) return 'no-post';
      if (codes[0] === CONDITION_FAILED) return 'already-there';
      throw new Error(`Favorite transaction cancelled: ${codes.join(', ')}`);
    },

    remove: async (userId, postIdToRemove) => {
      const deleteFavorite = {
        TableName: tableName,
        Key: favoriteKey(userId, postIdToRemove),
        ConditionExpression: 'attribute_exists(#postId)',
        ExpressionAttributeNames: { '#postId': 'postId' },
      };
      const codes = await transact([
        { Delete: deleteFavorite },
        { Update: counterUpdate(postsTableName, postIdToRemove, 'favoriteCount', -1) },
      ]);
      if (!codes) return 'removed';
      if (codes[0] === CONDITION_FAILED) return 'not-there';
      if (codes[1] !== CONDITION_FAILED)
        throw new Error(`Unfavorite transaction cancelled: ${codes.join(', ')}`);
      // The post is gone: its counter no longer matters, the favorite still goes.
      try {
        await client.send(new DeleteCommand(deleteFavorite));
        return 'removed';
      } catch (error) {
        if (isConditionalCheckFailed(error)) return 'not-there';
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
          ExpressionAttributeNames: { '#userId': 'userId' },
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
  };
};
