import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../testing/fakes';
import { createComment } from './create-comment';
import { announce, republishPending } from './outbox';

const newComment = { postId: 'p1', authorId: 'alice', body: 'Hi', correlationId: 'corr-create' };

/** A post p1, with the next `publishFailures` publications failing. */
const withPost = async (publishFailures = 0) => {
  const world = fakeSideEffects();
  await world.knowPost('p1');
  if (publishFailures > 0) world.failNextPublish(publishFailures);
  return world;
};

describe('republishPending', () => {
  it('republishes a comment whose CommentCreated failed, with the same event id, once it is 30 s old', async () => {
    const world = await withPost(1);
    const comment = await createComment(world.deps, newComment);
    const eventId = world.commentRows.get('p1#1')?.eventId;

    world.advance(10_000);
    expect(await republishPending(world.deps)).toEqual({ found: 0, announced: 0, failed: 0, failures: [] });
    expect(world.published).toHaveLength(0);

    world.advance(25_000);
    expect(await republishPending(world.deps)).toEqual({ found: 1, announced: 1, failed: 0, failures: [] });
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
    await republishPending(world.deps);
    expect(world.published).toHaveLength(1);
  });

  it('announces a comment deleted before its creation was announced: CommentCreated, then CommentDeleted', async () => {
    const world = await withPost(2);
    const comment = await world.createComment(newComment);
    await world.deleteComment(comment.id, { correlationId: 'corr-delete' });
    expect(world.published).toHaveLength(0);
    const row = world.commentRows.get('p1#1');

    world.advance(31_000);
    const result = await republishPending(world.deps);

    expect(result).toEqual({ found: 1, announced: 1, failed: 0, failures: [] });
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
    const world = await withPost();
    const comment = await world.createComment(newComment);
    await world.deleteComment(comment.id);
    expect(world.published.map((e) => e.detailType)).toEqual(['CommentCreated', 'CommentDeleted']);

    world.advance(60_000);
    expect(await republishPending(world.deps)).toEqual({ found: 0, announced: 0, failed: 0, failures: [] });
    const settled = world.commentRows.get('p1#1');
    if (!settled) throw new Error('the tombstone is gone');
    await announce(world.deps, structuredClone(settled)); // as if handed a settled row
    expect(world.published).toHaveLength(2);
  });

  it('keeps going past a row that fails and reports it', async () => {
    const world = await withPost(2);
    await createComment(world.deps, newComment);
    await createComment(world.deps, newComment);
    world.advance(31_000);
    world.failNextPublish(1);

    const result = await republishPending(world.deps);

    expect(result.announced).toBe(1);
    expect(result.failed).toBe(1);
    expect(result.failures).toEqual([{ commentId: 'id-1', postId: 'p1', error: 'Error: PutEvents failed' }]);
    expect(world.commentRows.get('p1#1')?.publishState).toBe('pending');
    expect(world.commentRows.get('p1#2')?.publishState).toBeUndefined();
  });
});

describe('announce', () => {
  it('never throws: a comment whose event cannot be published stays in the outbox', async () => {
    const world = await withPost(1);
    await createComment(world.deps, newComment);
    const row = structuredClone(world.commentRows.get('p1#1'));
    if (!row) throw new Error('no row');
    world.failNextPublish(1);

    await expect(announce(world.deps, row)).resolves.toBeUndefined();
    expect(world.commentRows.get('p1#1')?.publishState).toBe('pending');
  });
});
