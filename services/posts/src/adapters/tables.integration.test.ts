/**
 * The adapters against a real DynamoDB implementation (the local cloud's:
 * dynalite plus its TransactWriteItems, on a free port), with the tables as
 * declared in serverless.yml: checks the expressions, conditions,
 * transactions and indexes that the mocked unit tests only describe.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Edge } from '@live-comments/local-cloud/edge/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeWithTables } from '../../../../tests/integration/support/tables';
import type { PendingEvent, StoredPost } from '../domain/post';
import { buildCountedCommentsTable } from './counted-comments-table';
import { buildFavoritesTable } from './favorites-table';
import { buildPostsTable } from './posts-table';

let edge: Edge;
let client: DynamoDBDocumentClient;
const TABLES = ['PostsTable', 'FavoritesTable', 'CountedCommentsTable'];

beforeAll(async () => {
  ({ edge, client } = await edgeWithTables(
    new URL('../../serverless.yml', import.meta.url),
    Object.fromEntries(TABLES.map((id) => [id, `it-${id}`])),
  ));
});

afterAll(async () => {
  await edge.stop();
});

const posts = () => buildPostsTable({ client, tableName: 'it-PostsTable' });
const favorites = () =>
  buildFavoritesTable({ client, tableName: 'it-FavoritesTable', postsTableName: 'it-PostsTable' });

const countedComments = () =>
  buildCountedCommentsTable({
    client,
    tableName: 'it-CountedCommentsTable',
    postsTableName: 'it-PostsTable',
  });

const newPost = (id: string, createdAt: string): StoredPost & { pending: PendingEvent } => ({
  post: {
    id,
    authorId: 'alice',
    title: `title ${id}`,
    body: 'body',
    createdAt,
    updatedAt: createdAt,
    commentCount: 0,
    favoriteCount: 0,
  },
  pending: { eventId: `created-${id}`, type: 'PostCreated', occurredAt: createdAt, correlationId: 'corr' },
});

const drain = async (iterable: AsyncIterable<StoredPost>) => {
  const all: StoredPost[] = [];
  for await (const stored of iterable) all.push(stored);
  return all;
};

describe('posts table on the local DynamoDB', () => {
  it('creates, lists newest first with cursors, and sweeps the outbox', async () => {
    const table = posts();
    await table.create(newPost('p1', '2026-01-01T10:00:00.000Z'));
    await table.create(newPost('p2', '2026-01-01T10:00:01.000Z'));
    await table.create(newPost('p3', '2026-01-01T10:00:02.000Z'));
    await expect(table.create(newPost('p1', '2026-01-01T10:00:03.000Z'))).rejects.toThrow();

    const first = await table.list({ limit: 2 });
    expect(first.items.map((p) => p.id)).toEqual(['p3', 'p2']);
    const second = await table.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((p) => p.id)).toEqual(['p1']);

    const pending = await drain(table.pending('2026-01-01T10:00:02.000Z'));
    expect(pending.map((s) => s.pending?.eventId)).toEqual(['created-p1', 'created-p2']);
    await table.settle('p1', pending[0]?.pending as PendingEvent);
    expect((await drain(table.pending('2027-01-01T00:00:00.000Z'))).map((s) => s.post.id)).toEqual([
      'p2',
      'p3',
    ]);
  });

  it('updates only for the author and keeps an unannounced PostCreated', async () => {
    const table = posts();
    await table.create(newPost('u1', '2026-01-02T10:00:00.000Z'));
    const event = { eventId: 'upd-1', occurredAt: '2026-01-02T11:00:00.000Z', correlationId: 'c' };

    expect(await table.update({ postId: 'u1', authorId: 'mallory', changes: { title: 'X' }, event })).toEqual(
      {
        outcome: 'forbidden',
      },
    );
    expect(await table.update({ postId: 'nope', authorId: 'alice', changes: { title: 'X' }, event })).toEqual(
      {
        outcome: 'not_found',
      },
    );
    const written = await table.update({ postId: 'u1', authorId: 'alice', changes: { title: 'New' }, event });
    expect(written).toMatchObject({
      outcome: 'written',
      stored: {
        post: { title: 'New', body: 'body', updatedAt: event.occurredAt },
        pending: { eventId: 'upd-1', type: 'PostCreated' },
      },
    });

    await table.settle('u1', { ...event, type: 'PostCreated' });
    const again = await table.update({
      postId: 'u1',
      authorId: 'alice',
      changes: { body: 'B2' },
      event: { ...event, eventId: 'upd-2' },
    });
    expect(again).toMatchObject({
      outcome: 'written',
      stored: { pending: { eventId: 'upd-2', type: 'PostUpdated' } },
    });
  });

  it('deletes as a tombstone, hides it everywhere, and removes it once PostDeleted is out', async () => {
    const table = posts();
    await table.create(newPost('d1', '2026-01-03T10:00:00.000Z'));
    const event = { eventId: 'del-1', occurredAt: '2026-01-03T11:00:00.000Z', correlationId: 'c' };
    expect(await table.markDeleted({ postId: 'd1', authorId: 'bob', event })).toEqual({
      outcome: 'forbidden',
    });
    const deleted = await table.markDeleted({ postId: 'd1', authorId: 'alice', event });
    expect(deleted).toMatchObject({ outcome: 'written', stored: { pending: { type: 'PostDeleted' } } });
    expect(await table.markDeleted({ postId: 'd1', authorId: 'alice', event })).toEqual({
      outcome: 'not_found',
    });

    expect(await table.get('d1')).toBeUndefined();
    expect(await table.getMany(['d1'])).toEqual([]);
    expect((await table.list({ limit: 100 })).items.map((p) => p.id)).not.toContain('d1');
    expect(await table.adjustCounter('d1', 'commentCount', 1)).toBe(false);

    await table.settle('d1', { ...event, type: 'PostDeleted' });
    expect((await drain(table.pending('2027-01-01T00:00:00.000Z'))).map((s) => s.post.id)).not.toContain(
      'd1',
    );
  });

  it('adjusts counters of live posts and never below zero', async () => {
    const table = posts();
    await table.create(newPost('c1', '2026-01-04T10:00:00.000Z'));
    expect(await table.adjustCounter('c1', 'commentCount', 1)).toBe(true);
    expect(await table.adjustCounter('c1', 'commentCount', -1)).toBe(true);
    expect(await table.adjustCounter('c1', 'commentCount', -1)).toBe(false);
    expect(await table.adjustCounter('missing', 'favoriteCount', 1)).toBe(false);
    expect((await table.get('c1'))?.commentCount).toBe(0);
  });
});

describe('favorites table on the local DynamoDB', () => {
  const favoriteCount = async (id: string) => (await posts().get(id))?.favoriteCount;

  it('adds and removes once, counting on the post, and lists newest first with the user’s own cursor', async () => {
    await posts().create(newPost('f1', '2026-01-05T10:00:00.000Z'));
    await posts().create(newPost('f2', '2026-01-05T10:00:01.000Z'));
    const table = favorites();
    expect(await table.add('bob', { postId: 'f1', favoritedAt: '2026-01-01T10:00:00.000Z' })).toBe('added');
    expect(await table.add('bob', { postId: 'f1', favoritedAt: '2026-01-01T10:05:00.000Z' })).toBe(
      'already-there',
    );
    expect(await table.add('bob', { postId: 'f2', favoritedAt: '2026-01-01T10:01:00.000Z' })).toBe('added');
    expect(await table.add('carol', { postId: 'f1', favoritedAt: '2026-01-01T10:02:00.000Z' })).toBe('added');
    expect(await favoriteCount('f1')).toBe(2);

    const first = await table.list('bob', { limit: 1 });
    expect(first.items).toEqual([{ postId: 'f2', favoritedAt: '2026-01-01T10:01:00.000Z' }]);
    const second = await table.list('bob', { limit: 1, cursor: first.nextCursor ?? undefined });
    expect(second.items).toEqual([{ postId: 'f1', favoritedAt: '2026-01-01T10:00:00.000Z' }]);
    await expect(table.list('carol', { limit: 1, cursor: first.nextCursor ?? undefined })).rejects.toThrow();

    expect(await table.remove('bob', 'f1')).toBe('removed');
    expect(await table.remove('bob', 'f1')).toBe('not-there');
    expect(await favoriteCount('f1')).toBe(1);
  });

  it('writes nothing for an unknown or deleted post, and still removes a deleted post’s favorite', async () => {
    const table = favorites();
    expect(await table.add('bob', { postId: 'ghost', favoritedAt: '2026-01-01T10:00:00.000Z' })).toBe(
      'no-post',
    );
    expect((await table.list('bob', { limit: 100 })).items.map((f) => f.postId)).not.toContain('ghost');

    await posts().create(newPost('f3', '2026-01-05T10:00:02.000Z'));
    expect(await table.add('dave', { postId: 'f3', favoritedAt: '2026-01-01T10:00:00.000Z' })).toBe('added');
    const event = { eventId: 'del-f3', occurredAt: '2026-01-05T11:00:00.000Z', correlationId: 'c' };
    await posts().markDeleted({ postId: 'f3', authorId: 'alice', event });
    expect(await table.add('erin', { postId: 'f3', favoritedAt: '2026-01-01T10:00:00.000Z' })).toBe(
      'no-post',
    );
    expect(await table.add('dave', { postId: 'f3', favoritedAt: '2026-01-01T10:00:00.000Z' })).toBe(
      'no-post',
    );
    expect(await table.remove('dave', 'f3')).toBe('removed');
    expect((await table.list('dave', { limit: 100 })).items).toEqual([]);
  });

  it('counts exactly when many users favorite and unfavorite one post at once', async () => {
    await posts().create(newPost('hot', '2026-01-05T10:00:03.000Z'));
    const table = favorites();
    const users = Array.from({ length: 40 }, (_, index) => `user-${index}`);
    const at = '2026-01-01T10:00:00.000Z';
    await Promise.all(users.map((user) => table.add(user, { postId: 'hot', favoritedAt: at })));
    await Promise.all(users.slice(0, 15).map((user) => table.remove(user, 'hot')));
    await Promise.all(users.slice(0, 5).map((user) => table.add(user, { postId: 'hot', favoritedAt: at })));
    expect(await favoriteCount('hot')).toBe(40 - 15 + 5);
  });
});

describe('counted comments table on the local DynamoDB', () => {
  const commentCount = async (id: string) => (await posts().get(id))?.commentCount;
  const markersOf = async (postId: string) => {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: 'it-CountedCommentsTable',
        KeyConditionExpression: 'postId = :postId',
        ExpressionAttributeValues: { ':postId': postId },
        ConsistentRead: true,
      }),
    );
    return Object.fromEntries(Items.map((item) => [item.commentId, item.state]));
  };
  const mark = (postId: string, commentId: string, eventId = `${commentId}-event`) => ({
    postId,
    commentId,
    eventId,
  });

  it('counts each comment once, whatever the order and number of its events', async () => {
    await posts().create(newPost('k1', '2026-01-06T10:00:00.000Z'));
    const table = countedComments();
    expect(await table.count(mark('k1', 'a'))).toBe('counted');
    expect(await table.count(mark('k1', 'a'))).toBe('already-counted');
    expect(await table.count(mark('k1', 'b'))).toBe('counted');
    expect(await commentCount('k1')).toBe(2);

    expect(await table.uncount(mark('k1', 'a'))).toBe('uncounted');
    expect(await table.uncount(mark('k1', 'a'))).toBe('already-deleted');
    expect(await table.count(mark('k1', 'a'))).toBe('already-deleted');
    // Deleted before its creation arrives: a tombstone, and the creation counts nothing.
    expect(await table.uncount(mark('k1', 'c'))).toBe('deleted-before-counted');
    expect(await table.count(mark('k1', 'c'))).toBe('already-deleted');
    expect(await commentCount('k1')).toBe(1);
    expect(await markersOf('k1')).toEqual({ a: 'deleted', b: 'counted', c: 'deleted' });
  });

  it('is exact when many events, repeated and reordered, arrive at once', async () => {
    await posts().create(newPost('k2', '2026-01-06T10:00:01.000Z'));
    const table = countedComments();
    const ids = Array.from({ length: 30 }, (_, index) => `m${index}`);
    const deletedIds = ids.filter((_, index) => index % 3 === 0);
    await Promise.all([
      ...ids.flatMap((id) => [table.count(mark('k2', id)), table.count(mark('k2', id))]),
      ...deletedIds.flatMap((id) => [table.uncount(mark('k2', id)), table.uncount(mark('k2', id))]),
    ]);
    expect(await commentCount('k2')).toBe(ids.length - deletedIds.length);
  });

  it('writes no marker for a deleted post, and forgets its markers page by page', async () => {
    await posts().create(newPost('k3', '2026-01-06T10:00:02.000Z'));
    const table = countedComments();
    for (const id of ['a', 'b', 'c', 'd', 'e']) await table.count(mark('k3', id));
    const event = { eventId: 'del-k3', occurredAt: '2026-01-06T11:00:00.000Z', correlationId: 'c' };
    await posts().markDeleted({ postId: 'k3', authorId: 'alice', event });

    expect(await table.count(mark('k3', 'f'))).toBe('no-post');
    expect(await table.uncount(mark('k3', 'g'))).toBe('no-post');
    expect(await table.uncount(mark('k3', 'a'))).toBe('no-post');
    expect(await table.count(mark('ghost', 'a'))).toBe('no-post');
    expect(await table.uncount(mark('ghost', 'a'))).toBe('no-post');
    expect(Object.keys(await markersOf('k3'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await markersOf('ghost')).toEqual({});

    expect(await table.forget('k3', 2)).toBe(false);
    expect(Object.keys(await markersOf('k3'))).toEqual(['c', 'd', 'e']);
    expect(await table.forget('k3', 2)).toBe(false);
    expect(await table.forget('k3', 2)).toBe(true);
    expect(await markersOf('k3')).toEqual({});
  });
});
