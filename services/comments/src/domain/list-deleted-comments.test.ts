import { encodeCursor, InvalidCursorError } from '@live-comments/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSideEffects, fakeSideEffects } from '../testing/fakes';
import { listDeletedComments } from './list-deleted-comments';

describe('listDeletedComments', () => {
  let world: FakeSideEffects;
  const ids: Record<number, string> = {};

  /** Comments 1..5 on p1 and one on p2, created at 12:00; 4, 2, 5 deleted at 12:01, 12:02, 12:03. */
  beforeEach(async () => {
    world = fakeSideEffects();
    await world.knowPost('p1');
    await world.knowPost('p2');
    for (let seq = 1; seq <= 5; seq++) ids[seq] = (await world.createComment({ body: `c${seq}` })).id;
    const other = await world.createComment({ postId: 'p2' });
    for (const seq of [4, 2, 5]) {
      world.advance(60_000);
      await world.deleteComment(ids[seq] ?? '');
    }
    await world.deleteComment(other.id, { postId: 'p2' });
  });

  it('lists the post’s deletions after since, oldest deletion first, as CommentDeleted carries them', async () => {
    const page = await listDeletedComments(world.deps, {
      postId: 'p1',
      since: '2026-03-01T12:01:00.000Z',
      limit: 50,
    });

    expect(page).toEqual({
      items: [
        { id: ids[2], postId: 'p1', authorId: 'alice', seq: 2, deletedAt: '2026-03-01T12:02:00.000Z' },
        { id: ids[5], postId: 'p1', authorId: 'alice', seq: 5, deletedAt: '2026-03-01T12:03:00.000Z' },
      ],
      nextCursor: null,
    });
  });

  it('lists a deletion whose CommentDeleted is not published yet', async () => {
    world.failNextPublish();
    world.advance(60_000);
    await world.deleteComment(ids[1] ?? '');

    const page = await listDeletedComments(world.deps, {
      postId: 'p1',
      since: '2026-03-01T12:03:00.000Z',
      limit: 50,
    });

    expect(page.items.map((d) => d.seq)).toEqual([1]);
  });

  it('pages with the cursor until the end', async () => {
    const since = '2026-03-01T00:00:00.000Z';
    const first = await listDeletedComments(world.deps, { postId: 'p1', since, limit: 2 });
    const second = await listDeletedComments(world.deps, {
      postId: 'p1',
      since,
      limit: 2,
      cursor: first.nextCursor ?? '',
    });

    expect([first, second].map((p) => p.items.map((d) => d.seq))).toEqual([[4, 2], [5]]);
    expect(first.nextCursor).not.toBeNull();
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a cursor of another post, of another since, an edited one, or garbage', async () => {
    const since = '2026-03-01T00:00:00.000Z';
    const key = { deletedAt: '2026-03-01T12:01:00.000Z', seq: 4 };
    const cursors = [
      encodeCursor(`deleted-comments:p2:${since}`, key),
      encodeCursor('deleted-comments:p1:2026-03-01T12:00:00.000Z', key),
      encodeCursor(`comments:p1`, { seq: 4 }),
      encodeCursor(`deleted-comments:p1:${since}`, { ...key, postId: 'p2' }),
      encodeCursor(`deleted-comments:p1:${since}`, { ...key, deletedAt: '2026-03-01T12:01:00Z' }),
      encodeCursor(`deleted-comments:p1:${since}`, { ...key, deletedAt: '2026-02-28T00:00:00.000Z' }),
      'garbage!',
    ];

    for (const cursor of cursors) {
      await expect(
        listDeletedComments(world.deps, { postId: 'p1', since, limit: 2, cursor }),
        cursor,
      ).rejects.toBeInstanceOf(InvalidCursorError);
    }
    const valid = encodeCursor(`deleted-comments:p1:${since}`, key);
    const page = await listDeletedComments(world.deps, { postId: 'p1', since, limit: 2, cursor: valid });
    expect(page.items.map((d) => d.seq)).toEqual([2, 5]);
  });
});
