import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, InvalidCursorError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { conditionFailed, mockedDocumentClient } from '../testing/dynamodb';
import { buildFavoritesTable, FAVORITES_INDEX, type FavoritesTableOptions } from './favorites-table';

const { dynamo, client } = mockedDocumentClient();

const table = (options: Partial<FavoritesTableOptions> = {}) =>
  buildFavoritesTable({ client, tableName: 'test-favorites', postsTableName: 'test-posts', ...options });

/** The SDK's error for a cancelled transaction, one reason code per item. */
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
    $metadata: {},
  });

describe('buildFavoritesTable', () => {
  it('adds the favorite and counts it on the post in one transaction', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const favorite = { postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    expect(await table().add('bob', favorite)).toBe('added');
    expect(dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toEqual([
      {
        Put: {
          TableName: 'test-favorites',
          Item: { userId: 'bob', postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' },
          ConditionExpression: 'attribute_not_exists(#postId)',
          ExpressionAttributeNames: { '#postId': 'postId' },
        },
      },
      {
        Update: expect.objectContaining({
          TableName: 'test-posts',
          Key: { id: 'p1' },
          UpdateExpression: 'ADD #counter :delta',
          ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#deletedAt)',
          ExpressionAttributeValues: { ':delta': 1 },
        }),
      },
    ]);
  });

  it('tells a favorite already there from a post that is missing, by the cancellation reasons', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None'))
      .rejectsOnce(cancelled('None', 'ConditionalCheckFailed'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
    const favorite = { postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    expect(await table().add('bob', favorite)).toBe('already-there');
    expect(await table().add('bob', favorite)).toBe('no-post');
    expect(await table().add('bob', favorite)).toBe('no-post');
  });

  it('retries a conflict with another transaction on the same post, then gives up', async () => {
    const waits: number[] = [];
    const favorites = table({ sleep: async (ms) => void waits.push(ms), maxAttempts: 3 });
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolvesOnce({});
    const favorite = { postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    expect(await favorites.add('bob', favorite)).toBe('added');
    expect(waits).toHaveLength(2);

    dynamo.reset();
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    await expect(favorites.add('bob', favorite)).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('removes the favorite and uncounts it in one transaction, never below zero', async () => {
    dynamo.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    expect(await table().remove('bob', 'p1')).toBe('removed');
    expect(await table().remove('bob', 'p1')).toBe('not-there');
    const [remove, uncount] = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(remove?.Delete).toMatchObject({
      TableName: 'test-favorites',
      Key: { userId: 'bob', postId: 'p1' },
      ConditionExpression: 'attribute_exists(#postId)',
    });
    expect(uncount?.Update).toMatchObject({
      TableName: 'test-posts',
      ConditionExpression:
        'attribute_exists(#id) AND attribute_not_exists(#deletedAt) AND #counter >= :needed',
      ExpressionAttributeValues: { ':delta': -1, ':needed': 1 },
    });
    expect(dynamo.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('removes the favorite of a deleted post on its own', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    dynamo.on(DeleteCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await table().remove('bob', 'p1')).toBe('removed');
    expect(await table().remove('bob', 'p1')).toBe('not-there');
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      Key: { userId: 'bob', postId: 'p1' },
      ConditionExpression: 'attribute_exists(#postId)',
    });
  });

  it('lets other errors through', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(
      table().add('bob', { postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' }),
    ).rejects.toThrow('throttled');
  });

  it('lists newest first by Query on the local index and round-trips its cursor', async () => {
    const lastKey = { userId: 'bob', postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ userId: 'bob', postId: 'p1', favoritedAt: lastKey.favoritedAt }],
        LastEvaluatedKey: lastKey,
      })
      .resolvesOnce({ Items: [] });
    const favorites = table();
    const first = await favorites.list('bob', { limit: 1 });
    expect(first.items).toEqual([{ postId: 'p1', favoritedAt: lastKey.favoritedAt }]);
    const second = await favorites.list('bob', { limit: 1, cursor: first.nextCursor ?? undefined });
    expect(second).toEqual({ items: [], nextCursor: null });

    const [firstCall, secondCall] = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(firstCall).toMatchObject({
      IndexName: FAVORITES_INDEX,
      ScanIndexForward: false,
      Limit: 1,
      ExpressionAttributeValues: { ':userId': 'bob' },
    });
    expect(secondCall?.ExclusiveStartKey).toEqual(lastKey);
  });

  it('refuses another user’s cursor, even one naming this user inside', async () => {
    const key = { userId: 'bob', postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    const favorites = table();
    const bobs = encodeCursor('favorites:bob', key);
    const forged = encodeCursor('favorites:mallory', key);
    await expect(favorites.list('mallory', { limit: 5, cursor: bobs })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(favorites.list('mallory', { limit: 5, cursor: forged })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
