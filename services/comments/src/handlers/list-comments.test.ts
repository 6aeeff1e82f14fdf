import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSideEffects, fakeSideEffects } from '../testing/fakes';
import { httpGet } from '../testing/http';
import { buildListCommentsHandler } from './list-comments';

describe('GET /api/v1/posts/{postId}/comments', () => {
  let world: FakeSideEffects;

  beforeEach(async () => {
    world = fakeSideEffects();
    await world.knowPost('p1');
    for (let i = 0; i < 3; i++) await world.createComment({ body: `c${i + 1}` });
  });

  const get = httpGet(() => buildListCommentsHandler(world.deps), 'GET /api/v1/posts/{postId}/comments', {
    postId: 'p1',
  });

  it('answers 200 with the comments oldest first, without authentication', async () => {
    const { status, body } = await get();

    expect(status).toBe(200);
    expect(body.items.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3]);
    expect(Object.keys(body.items[0]).sort()).toEqual([
      'authorId',
      'body',
      'createdAt',
      'id',
      'postId',
      'seq',
    ]);
    expect(body.nextCursor).toBeNull();
  });

  it('answers 200 with an empty list for a deleted post', async () => {
    await world.deps.posts.markPostDeleted({
      id: 'p1',
      authorId: 'a',
      deletedAt: '2026-03-01T13:00:00.000Z',
    });

    const { status, body } = await get();

    expect(status).toBe(200);
    expect(body).toEqual({ items: [], nextCursor: null });
  });

  it('returns only later comments with ?afterSeq', async () => {
    const { body } = await get({ afterSeq: '2' });

    expect(body.items.map((c: { seq: number }) => c.seq)).toEqual([3]);
  });

  it('pages with ?limit and ?cursor', async () => {
    const first = await get({ limit: '2' });
    const second = await get({ limit: '2', cursor: first.body.nextCursor });

    expect(first.body.items.map((c: { seq: number }) => c.seq)).toEqual([1, 2]);
    expect(second.body.items.map((c: { seq: number }) => c.seq)).toEqual([3]);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    [{ limit: '0' }, 'validation_failed'],
    [{ limit: '101' }, 'validation_failed'],
    [{ afterSeq: '-1' }, 'validation_failed'],
    [{ afterSeq: 'abc' }, 'validation_failed'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'invalid_cursor'],
  ])('answers 400 for %o', async (query, code) => {
    const { status, body } = await get(query);

    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
  });
});
