import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeSideEffects, fakeSideEffects } from '../testing/fakes';
import { httpGet } from '../testing/http';
import { buildListDeletedCommentsHandler } from './list-deleted-comments';

describe('GET /api/v1/posts/{postId}/comments/deleted', () => {
  let world: FakeSideEffects;

  /** Three comments, each deleted a minute after the previous one (12:01, 12:02, 12:03). */
  beforeEach(async () => {
    world = fakeSideEffects();
    await world.knowPost('p1');
    for (let i = 1; i <= 3; i++) {
      const { id } = await world.createComment({ body: `c${i}` });
      world.advance(60_000);
      await world.deleteComment(id);
    }
  });

  const get = httpGet(
    () => buildListDeletedCommentsHandler(world.deps),
    'GET /api/v1/posts/{postId}/comments/deleted',
    { postId: 'p1' },
  );

  it('answers 200 with the deletions after since, oldest first, without authentication', async () => {
    const { status, body } = await get({ since: '2026-03-01T12:01:00.000Z' });

    expect(status).toBe(200);
    expect(body.items.map((d: { seq: number; deletedAt: string }) => [d.seq, d.deletedAt])).toEqual([
      [2, '2026-03-01T12:02:00.000Z'],
      [3, '2026-03-01T12:03:00.000Z'],
    ]);
    expect(Object.keys(body.items[0]).sort()).toEqual(['authorId', 'deletedAt', 'id', 'postId', 'seq']);
    expect(body.nextCursor).toBeNull();
  });

  it('reads any ISO-8601 instant as the stored UTC form, 50 a page by default', async () => {
    const listDeleted = vi.spyOn(world.deps.comments, 'listDeleted');

    const { body } = await get({ since: '2026-03-01T13:01:30+01:00' });

    expect(body.items.map((d: { seq: number }) => d.seq)).toEqual([2, 3]);
    expect(listDeleted).toHaveBeenCalledWith('p1', { since: '2026-03-01T12:01:30.000Z', limit: 50 });
  });

  it('pages with ?limit and ?cursor', async () => {
    const since = '2026-03-01T00:00:00Z';
    const first = await get({ since, limit: '2' });
    const second = await get({ since, limit: '2', cursor: first.body.nextCursor });

    expect(first.body.items.map((d: { seq: number }) => d.seq)).toEqual([1, 2]);
    expect(second.body.items.map((d: { seq: number }) => d.seq)).toEqual([3]);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([
    [{}, 'validation_failed'],
    [{ since: '' }, 'validation_failed'],
    [{ since: 'yesterday' }, 'validation_failed'],
    [{ since: '2026-03-01' }, 'validation_failed'],
    [{ since: '2026-03-01T12:00:00' }, 'validation_failed'],
    [{ since: '2026-02-30T12:00:00Z' }, 'validation_failed'],
    [{ since: '2026-03-01T12:00:00Z', limit: '0' }, 'validation_failed'],
    [{ since: '2026-03-01T12:00:00Z', limit: '101' }, 'validation_failed'],
    [{ since: '2026-03-01T12:00:00Z', limit: 'ten' }, 'validation_failed'],
    [{ since: '2026-03-01T12:00:00Z', cursor: 'bm90LWEtY3Vyc29y' }, 'invalid_cursor'],
  ])('answers 400 for %o', async (query, code) => {
    const { status, body } = await get(query);

    expect(status).toBe(400);
    expect(body.error.code).toBe(code);
  });

  it('answers 400 to a cursor made for another since', async () => {
    const first = await get({ since: '2026-03-01T00:00:00Z', limit: '1' });

    const { status, body } = await get({ since: '2026-03-01T00:00:01Z', cursor: first.body.nextCursor });

    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_cursor');
  });
});
