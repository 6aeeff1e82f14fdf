import { NotFoundError, ServiceUnavailableError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { fakeSideEffects, knownPost } from '../testing/fakes';
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

  /** The fakes with p1 known, then deleted. */
  const withDeletedPost = async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    await world.deps.posts.markPostDeleted({
      id: 'p1',
      authorId: 'a',
      deletedAt: '2026-03-01T01:00:00.000Z',
    });
    return world;
  };

  it('refuses a deleted post with a 404', async () => {
    const world = await withDeletedPost();

    await expect(createComment(world.deps, input('p1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.commentRows.size).toBe(0);
  });

  it('refuses a post it knows is deleted without asking the posts service, even when that one is down', async () => {
    const world = await withDeletedPost();
    world.postsService.unavailable();

    await expect(createComment(world.deps, input('p1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.postsService.asked).toEqual([]);
  });

  it('stores nothing and answers 404 when the post is deleted between its number and the write', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    const takeNextSeq = world.deps.posts.takeNextSeq;
    // A PostDeleted handled while the comment is being made: after its seq, before its insert.
    world.deps.posts.takeNextSeq = async (postId) => {
      const seq = await takeNextSeq(postId);
      await world.deps.posts.markPostDeleted({
        id: postId,
        authorId: 'a',
        deletedAt: '2026-03-01T12:00:00.000Z',
      });
      return seq;
    };

    await expect(createComment(world.deps, input('p1'))).rejects.toBeInstanceOf(NotFoundError);
    expect(world.commentRows.size).toBe(0);
    expect(world.published).toHaveLength(0);
    // The number it took is a gap, as for any write that fails after taking one.
    expect(world.postRows.get('p1')?.nextSeq).toBe(1);
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

  describe('a post not yet in the known-posts table (its PostCreated still on the way)', () => {
    const fresh = knownPost('p9', '2026-03-01T11:59:59.000Z');

    it('asks the posts service, records the post it has, and accepts the comment', async () => {
      const world = fakeSideEffects();
      world.postsService.add(fresh);

      const comment = await createComment(world.deps, input('p9'));

      expect(comment).toMatchObject({ postId: 'p9', seq: 1 });
      expect(world.postsService.asked).toEqual([{ postId: 'p9', correlationId: 'corr-1' }]);
      expect(world.postRows.get('p9')).toEqual({
        authorId: 'bob',
        createdAt: fresh.createdAt,
        updatedAt: fresh.updatedAt,
        nextSeq: 1,
      });
      expect(world.published.map((e) => e.detailType)).toEqual(['CommentCreated']);
    });

    it('asks only once: the next comment finds the recorded post', async () => {
      const world = fakeSideEffects();
      world.postsService.add(fresh);

      await createComment(world.deps, input('p9'));
      const second = await createComment(world.deps, input('p9'));

      expect(second.seq).toBe(2);
      expect(world.postsService.asked).toHaveLength(1);
    });

    it('answers 404 when the posts service has no such post, and writes nothing', async () => {
      const world = fakeSideEffects();

      await expect(createComment(world.deps, input('never'))).rejects.toBeInstanceOf(NotFoundError);
      expect(world.postsService.asked.map((a) => a.postId)).toEqual(['never']);
      expect(world.postRows.size).toBe(0);
      expect(world.commentRows.size).toBe(0);
    });

    it('answers 503 with Retry-After, never 404, when the posts service cannot answer', async () => {
      const world = fakeSideEffects();
      world.postsService.add(fresh);
      world.postsService.unavailable('answered 502');

      const refused = await createComment(world.deps, input('p9')).catch((error: unknown) => error);

      expect(refused).toBeInstanceOf(ServiceUnavailableError);
      expect(refused).toMatchObject({
        statusCode: 503,
        code: 'unavailable',
        headers: { 'retry-after': '1' },
      });
      expect(world.postRows.size).toBe(0);
      expect(world.commentRows.size).toBe(0);
      expect(world.published).toHaveLength(0);
    });

    it('lets a PostDeleted recorded meanwhile win: 404, the tombstone kept', async () => {
      const world = fakeSideEffects();
      world.postsService.add(fresh);
      const find = world.deps.postsReader.find;
      // The posts service answered, then the post was deleted and PostDeleted projected first.
      world.deps.postsReader.find = async (postId, options) => {
        const answer = await find(postId, options);
        await world.deps.posts.markPostDeleted({ id: postId, authorId: 'bob', deletedAt: fresh.updatedAt });
        return answer;
      };

      await expect(createComment(world.deps, input('p9'))).rejects.toBeInstanceOf(NotFoundError);
      expect(world.postRows.get('p9')).toEqual({ authorId: 'bob', deletedAt: fresh.updatedAt });
      expect(world.commentRows.size).toBe(0);
    });

    it('keeps what a PostUpdated recorded meanwhile rather than the older answer', async () => {
      const world = fakeSideEffects();
      world.postsService.add(fresh);
      const find = world.deps.postsReader.find;
      const updatedAt = '2026-03-01T12:00:00.500Z';
      world.deps.postsReader.find = async (postId, options) => {
        const answer = await find(postId, options);
        await world.deps.posts.recordPost({ ...fresh, updatedAt });
        return answer;
      };

      await createComment(world.deps, input('p9'));

      expect(world.postRows.get('p9')?.updatedAt).toBe(updatedAt);
    });
  });
});
