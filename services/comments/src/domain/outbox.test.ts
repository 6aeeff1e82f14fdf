import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../test-support';
import { createComment } from './create-comment';
import { deleteComment } from './delete-comment';
import { announce, sweepOutbox } from './outbox';

const newComment = { postId: 'p1', authorId: 'alice', body: 'Hi', correlationId: 'corr-create' };

describe('sweepOutbox', () => {
  it('republishes a comment whose CommentCreated failed, with the same event id, once it is 30 s old', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish();
    const comment = await createComment(world.deps, newComment);
    const eventId = world.commentRows.get('p1#1')?.eventId;

    world.advance(10_000);
    expect(await sweepOutbox(world.deps)).toEqual({ announced: 0, failed: [] });
    expect(world.published).toHaveLength(0);

    world.advance(25_000);
    expect(await sweepOutbox(world.deps)).toEqual({ announced: 1, failed: [] });
    expect(world.published).toEqual([
      {
        detailType: 'CommentCreated',
        data: comment,
        eventId,
        correlationId: 'corr-create',
        occurredAt: comment.createdAt,
      },
    ]);
    expect(world.commentRows.get('p1#1')?.publishState).toBeUndefined();
    expect(world.commentRows.get('p1#1')?.outboxShard).toBeUndefined();

    world.advance(60_000);
    await sweepOutbox(world.deps);
    expect(world.published).toHaveLength(1);
  });

  it('announces a comment deleted before its creation was announced: CommentCreated, then CommentDeleted', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish(2);
    const comment = await createComment(world.deps, newComment);
    await deleteComment(world.deps, {
      postId: 'p1',
      commentId: comment.id,
      userId: 'alice',
      correlationId: 'corr-delete',
    });
    expect(world.published).toHaveLength(0);
    const row = world.commentRows.get('p1#1');

    world.advance(31_000);
    const result = await sweepOutbox(world.deps);

    expect(result).toEqual({ announced: 1, failed: [] });
    expect(world.published.map((e) => [e.detailType, e.eventId, e.correlationId])).toEqual([
      ['CommentCreated', row?.eventId, 'corr-create'],
      ['CommentDeleted', row?.deleteEventId, 'corr-delete'],
    ]);
    // Settled: kept for the deletions list without its body, out of the outbox, until its TTL.
    const settled = world.commentRows.get('p1#1');
    expect(settled).toMatchObject({ deletedAt: '2026-03-01T12:00:00.000Z', expiresAt: 1_772_971_200 });
    for (const gone of ['body', 'publishState', 'outboxShard', 'pendingSince']) {
      expect(settled).not.toHaveProperty(gone);
    }
  });

  it('never announces a settled tombstone again', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    const comment = await createComment(world.deps, newComment);
    await deleteComment(world.deps, {
      postId: 'p1',
      commentId: comment.id,
      userId: 'alice',
      correlationId: 'd',
    });
    expect(world.published.map((e) => e.detailType)).toEqual(['CommentCreated', 'CommentDeleted']);

    world.advance(60_000);
    expect(await sweepOutbox(world.deps)).toEqual({ announced: 0, failed: [] });
    const settled = world.commentRows.get('p1#1');
    if (!settled) throw new Error('the tombstone is gone');
    await announce(world.deps, structuredClone(settled)); // as if handed a settled row
    expect(world.published).toHaveLength(2);
  });

  it('keeps going past a row that fails and reports it', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish(2);
    await createComment(world.deps, newComment);
    await createComment(world.deps, newComment);
    world.advance(31_000);
    world.failNextPublish(1);

    const result = await sweepOutbox(world.deps);

    expect(result.announced).toBe(1);
    expect(result.failed).toEqual([{ commentId: 'id-1', postId: 'p1', error: 'Error: PutEvents failed' }]);
    expect(world.commentRows.get('p1#1')?.publishState).toBe('pending');
    expect(world.commentRows.get('p1#2')?.publishState).toBeUndefined();
  });
});
