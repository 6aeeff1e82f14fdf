import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { alicePost } from '../testing/setup';
import { eventOf, MARKERS_ON_REQUEST, MARKERS_PER_SWEEP, republishPending } from './outbox';
import { deletePost, updatePost } from './posts';

describe('eventOf', () => {
  const post = {
    id: 'p1',
    authorId: 'alice',
    title: 'T',
    body: 'B',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    commentCount: 3,
    favoriteCount: 1,
  };

  it('gives nothing for a post with an empty slot', () => {
    expect(eventOf({ post })).toBeUndefined();
  });

  it('announces a snapshot without counters, under the stored event id and correlation id', () => {
    const edited = { ...post, updatedAt: '2026-01-02T00:00:00.000Z' };
    const pending = {
      eventId: 'e1',
      type: 'PostUpdated' as const,
      occurredAt: '2026-01-02T00:00:00.000Z',
      correlationId: 'corr',
    };
    const event = eventOf({ post: edited, pending });
    expect(event?.contract.detailType).toBe('PostUpdated');
    expect(event?.data).toEqual({
      id: 'p1',
      authorId: 'alice',
      title: 'T',
      body: 'B',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(event?.options).toEqual({ eventId: 'e1', correlationId: 'corr', occurredAt: pending.occurredAt });
    // The contract accepts what the outbox builds.
    expect(event?.contract.detail.safeParse({ version: 1, ...event.options, data: event.data }).success).toBe(
      true,
    );
  });
});

describe('republishPending', () => {
  it('announces what failed requests left behind, once the grace period is over', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const kept = await alicePost(fake, { correlationId: 'c1' });
    const gone = await alicePost(fake, { title: 'U', correlationId: 'c2' });
    fake.tick();
    await updatePost(fake.deps, {
      postId: kept.id,
      authorId: 'alice',
      changes: { title: 'T2' },
      correlationId: 'c3',
    });
    await deletePost(fake.deps, { postId: gone.id, authorId: 'alice', correlationId: 'c4' });
    fake.events.state.failing = false;

    const early = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(early).toEqual({ found: 0, announced: 0, failed: 0 });

    fake.tick(31_000);
    const swept = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(swept).toEqual({ found: 2, announced: 2, failed: 0 });
    expect(fake.events.published.map((e) => [e.contract.detailType, (e.data as { id: string }).id])).toEqual([
      ['PostCreated', kept.id],
      ['PostDeleted', gone.id],
    ]);
    expect(fake.events.published[0]?.data).toMatchObject({ title: 'T2' });
    expect(fake.posts.rows.get(kept.id)?.pending).toBeUndefined();
    expect(fake.posts.rows.has(gone.id)).toBe(false);

    const again = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(again).toEqual({ found: 0, announced: 0, failed: 0 });
  });

  it('keeps events in the outbox while EventBridge fails', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const post = await alicePost(fake, { correlationId: 'c1' });
    fake.tick(60_000);
    const swept = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(swept).toEqual({ found: 1, announced: 0, failed: 1 });
    expect(fake.posts.rows.get(post.id)?.pending?.type).toBe('PostCreated');
  });

  it('stops starting batches when the time is up', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    for (let i = 0; i < 25; i++) {
      await alicePost(fake, { title: `T${i}` });
    }
    fake.events.state.failing = false;
    fake.tick(60_000);
    const swept = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => false });
    expect(swept).toEqual({ found: 10, announced: 10, failed: 0 });
  });

  it('removes a deleted post’s comment markers before its tombstone, the sweep taking what a request left', async () => {
    const fake = fakeDeps();
    const small = await alicePost(fake, { title: 'few comments' });
    const big = await alicePost(fake, { title: 'many comments' });
    const comments = MARKERS_ON_REQUEST + MARKERS_PER_SWEEP + 1;
    const count = (postId: string, id: number) =>
      fake.deps.countedComments.count({ postId, commentId: `c${id}`, eventId: `e-${postId}-${id}` });
    for (let id = 0; id < 3; id++) await count(small.id, id);
    for (let id = 0; id < comments; id++) await count(big.id, id);

    await deletePost(fake.deps, { postId: small.id, authorId: 'alice', correlationId: 'c1' });
    expect(fake.countedComments.markers.has(small.id)).toBe(false);
    expect(fake.posts.rows.has(small.id)).toBe(false);

    // More markers than a request removes: the tombstone and its PostDeleted stay for the sweep.
    await deletePost(fake.deps, { postId: big.id, authorId: 'alice', correlationId: 'c2' });
    expect(fake.countedComments.markers.get(big.id)?.size).toBe(comments - MARKERS_ON_REQUEST);
    expect(fake.posts.rows.get(big.id)?.pending?.type).toBe('PostDeleted');

    fake.tick(31_000);
    const first = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(first).toEqual({ found: 1, announced: 1, failed: 0 });
    expect(fake.countedComments.markers.get(big.id)?.size).toBe(1);
    expect(fake.posts.rows.has(big.id)).toBe(true);

    const second = await republishPending(fake.deps, { graceSeconds: 30, hasTimeLeft: () => true });
    expect(second).toEqual({ found: 1, announced: 1, failed: 0 });
    expect(fake.countedComments.markers.has(big.id)).toBe(false);
    expect(fake.posts.rows.has(big.id)).toBe(false);
    // The same PostDeleted each time (consumers dedupe on its event id).
    const deletions = fake.events.published.filter((e) => e.contract.detailType === 'PostDeleted');
    expect(new Set(deletions.map((e) => e.options.eventId)).size).toBe(2);
    expect(deletions).toHaveLength(4);
  });
});
