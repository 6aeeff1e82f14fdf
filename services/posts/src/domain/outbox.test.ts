import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { alicePost } from '../testing/setup';
import { eventOf, republishPending } from './outbox';
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
});
