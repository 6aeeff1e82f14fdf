import { ForbiddenError, NotFoundError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { alicePost } from '../testing/setup';
import { newPostBody, postPatchBody } from './post';
import { createPost, deletePost, getPost, listPosts, updatePost } from './posts';

describe('post input', () => {
  it('trims the title and body', () => {
    expect(newPostBody.parse({ title: '  Hello ', body: ' World\n' })).toEqual({
      title: 'Hello',
      body: 'World',
    });
  });

  it('refuses blank, too long and unknown fields', () => {
    expect(newPostBody.safeParse({ title: '   ', body: 'x' }).success).toBe(false);
    expect(newPostBody.safeParse({ title: 'x'.repeat(201), body: 'x' }).success).toBe(false);
    expect(newPostBody.safeParse({ title: 'x', body: 'x'.repeat(10_001) }).success).toBe(false);
    expect(newPostBody.safeParse({ title: 'x', body: 'x', authorId: 'mallory' }).success).toBe(false);
    expect(newPostBody.safeParse({ title: 'x'.repeat(200), body: 'x'.repeat(10_000) }).success).toBe(true);
  });

  it('refuses an empty patch', () => {
    expect(postPatchBody.safeParse({}).success).toBe(false);
    expect(postPatchBody.safeParse({ title: 'New' }).success).toBe(true);
  });
});

describe('createPost', () => {
  it('stores the post with zero counters, announces PostCreated and empties the outbox slot', async () => {
    const fake = fakeDeps();
    const post = await createPost(fake.deps, {
      authorId: 'alice',
      title: 'T',
      body: 'B',
      correlationId: 'corr-1',
    });

    expect(post).toEqual({
      id: 'id-2',
      authorId: 'alice',
      title: 'T',
      body: 'B',
      createdAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-01-01T10:00:00.000Z',
      commentCount: 0,
      favoriteCount: 0,
    });
    expect(fake.events.published).toHaveLength(1);
    expect(fake.events.published[0]?.contract.detailType).toBe('PostCreated');
    expect(fake.events.published[0]?.options).toEqual({
      eventId: 'id-1',
      correlationId: 'corr-1',
      occurredAt: '2026-01-01T10:00:00.000Z',
    });
    expect(fake.posts.rows.get(post.id)?.pending).toBeUndefined();
  });

  it('still answers with the post when publishing fails, and keeps the event in the outbox', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const post = await createPost(fake.deps, {
      authorId: 'alice',
      title: 'T',
      body: 'B',
      correlationId: 'corr-1',
    });

    expect(await getPost(fake.deps, post.id)).toEqual(post);
    expect(fake.posts.rows.get(post.id)?.pending).toMatchObject({ type: 'PostCreated', eventId: 'id-1' });
  });
});

describe('updatePost', () => {
  it('lets the author change the title only', async () => {
    const fake = fakeDeps();
    const post = await alicePost(fake);
    fake.tick();
    const updated = await updatePost(fake.deps, {
      postId: post.id,
      authorId: 'alice',
      changes: { title: 'T2' },
      correlationId: 'corr-2',
    });

    expect(updated).toMatchObject({ title: 'T2', body: 'B', updatedAt: '2026-01-01T10:00:01.000Z' });
    expect(fake.events.published.map((e) => e.contract.detailType)).toEqual(['PostCreated', 'PostUpdated']);
    expect(fake.events.published[1]?.options.correlationId).toBe('corr-2');
  });

  it('refuses another user with ForbiddenError and leaves the post as it was', async () => {
    const fake = fakeDeps();
    const post = await alicePost(fake);
    await expect(
      updatePost(fake.deps, {
        postId: post.id,
        authorId: 'mallory',
        changes: { title: 'X' },
        correlationId: 'c',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await getPost(fake.deps, post.id)).title).toBe('T');
    expect(fake.events.published).toHaveLength(1);
  });

  it('answers NotFoundError for an unknown post', async () => {
    const fake = fakeDeps();
    await expect(
      updatePost(fake.deps, {
        postId: 'nope',
        authorId: 'alice',
        changes: { title: 'X' },
        correlationId: 'c',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('announces an unannounced creation as PostCreated with the edited post', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const post = await alicePost(fake);
    fake.events.state.failing = false;
    await updatePost(fake.deps, {
      postId: post.id,
      authorId: 'alice',
      changes: { body: 'B2' },
      correlationId: 'c2',
    });

    expect(fake.events.published).toHaveLength(1);
    expect(fake.events.published[0]?.contract.detailType).toBe('PostCreated');
    expect(fake.events.published[0]?.data).toMatchObject({ body: 'B2' });
  });
});

describe('deletePost', () => {
  it('lets the author delete, announces PostDeleted and removes the tombstone', async () => {
    const fake = fakeDeps();
    const post = await alicePost(fake);
    await deletePost(fake.deps, { postId: post.id, authorId: 'alice', correlationId: 'c-del' });

    await expect(getPost(fake.deps, post.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.events.published[1]).toMatchObject({
      contract: { detailType: 'PostDeleted' },
      data: { id: post.id, authorId: 'alice', deletedAt: '2026-01-01T10:00:00.000Z' },
    });
    expect(fake.posts.rows.has(post.id)).toBe(false);
  });

  it('refuses another user and answers 404 for a post deleted already', async () => {
    const fake = fakeDeps();
    const post = await alicePost(fake);
    await expect(
      deletePost(fake.deps, { postId: post.id, authorId: 'bob', correlationId: 'c' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    fake.events.state.failing = true;
    await deletePost(fake.deps, { postId: post.id, authorId: 'alice', correlationId: 'c' });
    // The tombstone is still there (PostDeleted not out yet), yet the post is gone for everyone.
    expect(fake.posts.rows.has(post.id)).toBe(true);
    await expect(
      deletePost(fake.deps, { postId: post.id, authorId: 'alice', correlationId: 'c' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await listPosts(fake.deps, { limit: 20 })).items).toEqual([]);
  });
});

describe('listPosts', () => {
  it('lists newest first across pages', async () => {
    const fake = fakeDeps();
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c']) {
      ids.push((await alicePost(fake, { title, body: 'x' })).id);
      fake.tick();
    }
    const first = await listPosts(fake.deps, { limit: 2 });
    expect(first.items.map((p) => p.title)).toEqual(['c', 'b']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listPosts(fake.deps, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second).toEqual({ items: [expect.objectContaining({ title: 'a' })], nextCursor: null });
  });
});
