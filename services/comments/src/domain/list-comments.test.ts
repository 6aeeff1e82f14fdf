import { encodeCursor, InvalidCursorError } from '@live-comments/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSideEffects, fakeSideEffects } from '../testing/fakes';
import { listComments } from './list-comments';

describe('listComments', () => {
  let world: FakeSideEffects;

  beforeEach(async () => {
    world = fakeSideEffects();
    await world.knowPost('p1');
    await world.knowPost('p2');
    for (let i = 1; i <= 5; i++) await world.createComment({ authorId: 'a', body: `c${i}` });
    await world.createComment({ postId: 'p2', authorId: 'a', body: 'other' });
  });

  it('lists a post’s comments oldest first', async () => {
    const page = await listComments(world.deps, { postId: 'p1', limit: 20 });

    expect(page.items.map((c) => [c.seq, c.body])).toEqual([
      [1, 'c1'],
      [2, 'c2'],
      [3, 'c3'],
      [4, 'c4'],
      [5, 'c5'],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('returns only later comments with afterSeq', async () => {
    const page = await listComments(world.deps, { postId: 'p1', afterSeq: 3, limit: 20 });

    expect(page.items.map((c) => c.seq)).toEqual([4, 5]);
  });

  it('pages with the cursor until the end', async () => {
    const first = await listComments(world.deps, { postId: 'p1', limit: 2 });
    const second = await listComments(world.deps, { postId: 'p1', limit: 2, cursor: first.nextCursor ?? '' });
    const third = await listComments(world.deps, { postId: 'p1', limit: 2, cursor: second.nextCursor ?? '' });

    expect([first, second, third].map((p) => p.items.map((c) => c.seq))).toEqual([[1, 2], [3, 4], [5]]);
    expect(third.nextCursor).toBeNull();
  });

  it('rejects a cursor of another post, or an edited one', async () => {
    const other = encodeCursor('comments:p2', { seq: 1 });
    const edited = encodeCursor('comments:p1', { seq: 1, postId: 'p2' });

    await expect(listComments(world.deps, { postId: 'p1', limit: 2, cursor: other })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(listComments(world.deps, { postId: 'p1', limit: 2, cursor: edited })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(
      listComments(world.deps, { postId: 'p1', limit: 2, cursor: 'garbage!' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('lists nothing for a deleted post from the moment its deletion is recorded, before its comments are removed', async () => {
    await world.deps.posts.markPostDeleted({
      id: 'p1',
      authorId: 'a',
      deletedAt: '2026-03-01T13:00:00.000Z',
    });

    const page = await listComments(world.deps, { postId: 'p1', limit: 20 });

    expect(page).toEqual({ items: [], nextCursor: null });
    expect([...world.commentRows.values()].filter((row) => row.postId === 'p1')).toHaveLength(5);
    expect((await listComments(world.deps, { postId: 'p2', limit: 20 })).items).toHaveLength(1);
  });

  it('lists nothing for an unknown post', async () => {
    expect(await listComments(world.deps, { postId: 'nope', limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
