import { NotFoundError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../testing/fakes';
import { createComment } from './create-comment';

const input = (postId: string, body = 'Nice post') => ({
  postId,
  authorId: 'alice',
  body,
  correlationId: 'corr-1',
});

describe('createComment', () => {
  it('numbers the comments of a post 1, 2, 3 and each post on its own', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    await world.knowPost('p2');

    const seqs = [
      (await createComment(world.deps, input('p1'))).seq,
      (await createComment(world.deps, input('p1'))).seq,
      (await createComment(world.deps, input('p2'))).seq,
      (await createComment(world.deps, input('p1'))).seq,
    ];

    expect(seqs).toEqual([1, 2, 1, 3]);
  });

  it('gives concurrent comments distinct consecutive numbers', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');

    const created = await Promise.all(
      Array.from({ length: 20 }, () => createComment(world.deps, input('p1'))),
    );

    expect(created.map((c) => c.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('returns the comment of the contract', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');

    const comment = await createComment(world.deps, input('p1', 'Hello'));

    expect(comment).toEqual({
      id: 'id-1',
      postId: 'p1',
      authorId: 'alice',
      body: 'Hello',
      createdAt: '2026-03-01T12:00:00.000Z',
      seq: 1,
    });
  });

  it('refuses an unknown post with a 404 and writes nothing', async () => {
    const world = fakeSideEffects();

    await expect(createComment(world.deps, input('nope'))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.commentRows.size).toBe(0);
    expect(world.published).toHaveLength(0);
  });

  it('refuses a deleted post with a 404', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    await world.deps.posts.markPostDeleted({
      id: 'p1',
      authorId: 'a',
      deletedAt: '2026-03-01T01:00:00.000Z',
    });

    await expect(createComment(world.deps, input('p1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.commentRows.size).toBe(0);
  });

  it('announces CommentCreated with the stored event id and the request correlation id, then leaves the outbox', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');

    const comment = await createComment(world.deps, input('p1'));

    const row = world.commentRows.get('p1#1');
    expect(world.published).toEqual([
      {
        detailType: 'CommentCreated',
        data: comment,
        eventId: row?.eventId,
        correlationId: 'corr-1',
        occurredAt: comment.createdAt,
      },
    ]);
    expect(row?.eventId).toBe('id-2');
    expect(row?.publishState).toBeUndefined();
    expect(row?.outboxShard).toBeUndefined();
    expect(row?.pendingSince).toBeUndefined();
  });

  it('still creates the comment when publishing fails, and keeps it in the outbox', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish();

    const comment = await createComment(world.deps, input('p1'));

    expect(comment.seq).toBe(1);
    const row = world.commentRows.get('p1#1');
    expect(row).toMatchObject({
      publishState: 'pending',
      outboxShard: 'pending-1',
      pendingSince: comment.createdAt,
    });
    expect(world.published).toHaveLength(0);
  });
});
