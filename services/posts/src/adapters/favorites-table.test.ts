import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, InvalidCursorError } from '@live-comments/shared';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFavoritesTable, FAVORITES_INDEX } from './favorites-table';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const table = () =>
  buildFavoritesTable({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'test-favorites',
  });

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('buildFavoritesTable', () => {
  it('adds a favorite only if it is not there yet', async () => {
    dynamo.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    const favorites = table();
    const favorite = { postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' };
    expect(await favorites.add('bob', favorite)).toBe(true);
    expect(await favorites.add('bob', favorite)).toBe(false);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { userId: 'bob', postId: 'p1', favoritedAt: '2026-01-01T10:00:00.000Z' },
      ConditionExpression: 'attribute_not_exists(#postId)',
    });
  });

  it('removes a favorite only if it is there', async () => {
    dynamo.on(DeleteCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    const favorites = table();
    expect(await favorites.remove('bob', 'p1')).toBe(true);
    expect(await favorites.remove('bob', 'p1')).toBe(false);
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      Key: { userId: 'bob', postId: 'p1' },
      ConditionExpression: 'attribute_exists(#postId)',
    });
  });

  it('lets other errors through', async () => {
    dynamo.on(PutCommand).rejects(new Error('throttled'));
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
