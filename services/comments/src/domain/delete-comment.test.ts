import { ForbiddenError, NotFoundError } from '@live-comments/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSideEffects, fakesWithComment } from '../testing/fakes';
import { deleteComment } from './delete-comment';
import { listComments } from './list-comments';

describe('deleteComment', () => {
  let world: FakeSideEffects;
  let commentId: string;

  beforeEach(async () => {
    ({ world, commentId } = await fakesWithComment({ body: 'Hi', correlationId: 'c0' }));
    world.published.length = 0;
  });

  const deletion = (overrides: Partial<Parameters<typeof deleteComment>[1]> = {}) => ({
    postId: 'p1',
    commentId,
    userId: 'alice',
    correlationId: 'corr-delete',
    ...overrides,
  });

  it('lets the author delete the comment and announces CommentDeleted', async () => {
    await deleteComment(world.deps, deletion());

    expect(world.commentRows.get('p1#1')).toMatchObject({ deletedAt: '2026-03-01T12:00:00.000Z' });
    expect(world.commentRows.get('p1#1')).not.toHaveProperty('body');
    expect(world.published).toEqual([
      {
        detailType: 'CommentDeleted',
        data: {
          id: commentId,
          postId: 'p1',
          authorId: 'alice',
          seq: 1,
          deletedAt: '2026-03-01T12:00:00.000Z',
        },
        eventId: expect.any(String),
        correlationId: 'corr-delete',
        occurredAt: '2026-03-01T12:00:00.000Z',
      },
    ]);
  });

  it('forbids anyone else and leaves the comment', async () => {
    await expect(deleteComment(world.deps, deletion({ userId: 'mallory' }))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(world.commentRows.get('p1#1')?.deletedAt).toBeUndefined();
    expect(world.published).toHaveLength(0);
  });

  it('answers 404 for an unknown comment or one under another post', async () => {
    await expect(deleteComment(world.deps, deletion({ commentId: 'nope' }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(deleteComment(world.deps, deletion({ postId: 'p2' }))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.commentRows.size).toBe(1);
  });

  it('answers 404 for a comment deleted already, its tombstone kept for the deletions list', async () => {
    await deleteComment(world.deps, deletion());

    await expect(deleteComment(world.deps, deletion())).rejects.toBeInstanceOf(NotFoundError);
    expect(world.published.map((e) => e.detailType)).toEqual(['CommentDeleted']);
  });

  it('answers 404 for a comment whose deletion is still being announced', async () => {
    world.failNextPublish();
    await deleteComment(world.deps, deletion());

    await expect(deleteComment(world.deps, deletion())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps a tombstone in the outbox when publishing fails, hidden from readers', async () => {
    world.failNextPublish();

    await deleteComment(world.deps, deletion());

    const row = world.commentRows.get('p1#1');
    expect(row).toMatchObject({
      deletedAt: '2026-03-01T12:00:00.000Z',
      pendingSince: '2026-03-01T12:00:00.000Z',
    });
    expect(row?.outboxShard).toBeDefined();
    const page = await listComments(world.deps, { postId: 'p1', limit: 20 });
    expect(page.items).toEqual([]);
  });
});
