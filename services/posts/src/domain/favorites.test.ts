import { NotFoundError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { type FakeDeps, fakeDeps } from '../testing/fakes';
import { alicePost, withPost } from '../testing/setup';
import { favoritePost, listMyFavorites, unfavoritePost } from './favorites';
import { deletePost, getPost } from './posts';

/** Each user in turn favorites the post. */
const favoriteBy = async (fake: FakeDeps, postId: string, ...userIds: string[]) => {
  for (const userId of userIds) await favoritePost(fake.deps, { userId, postId });
};

describe('favoritePost', () => {
  it('counts a favorite once however often it is put', async () => {
    const { fake, post } = await withPost();
    await favoriteBy(fake, post.id, 'bob', 'bob', 'carol');

    expect((await getPost(fake.deps, post.id)).favoriteCount).toBe(2);
  });

  it('answers NotFoundError for an unknown post and leaves no favorite behind', async () => {
    const { fake } = await withPost();
    await expect(favoritePost(fake.deps, { userId: 'bob', postId: 'nope' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(fake.favorites.byUser.get('bob')?.size ?? 0).toBe(0);
  });

  it('answers NotFoundError for an existing favorite of a deleted post', async () => {
    const { fake, post } = await withPost();
    await favoriteBy(fake, post.id, 'bob');
    await deletePost(fake.deps, { postId: post.id, authorId: 'alice', correlationId: 'c' });
    await expect(favoritePost(fake.deps, { userId: 'bob', postId: post.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('unfavoritePost', () => {
  it('uncounts a favorite once however often it is removed', async () => {
    const { fake, post } = await withPost();
    await favoriteBy(fake, post.id, 'bob', 'carol');
    await unfavoritePost(fake.deps, { userId: 'bob', postId: post.id });
    await unfavoritePost(fake.deps, { userId: 'bob', postId: post.id });

    expect((await getPost(fake.deps, post.id)).favoriteCount).toBe(1);
  });

  it('succeeds for a post that does not exist', async () => {
    const { fake } = await withPost();
    await expect(unfavoritePost(fake.deps, { userId: 'bob', postId: 'nope' })).resolves.toBeUndefined();
  });
});

describe('listMyFavorites', () => {
  it('lists the user’s favorite posts newest first and leaves out deleted posts', async () => {
    const fake = fakeDeps();
    const titles = ['a', 'b', 'c'];
    const posts = [];
    for (const title of titles) {
      posts.push(await alicePost(fake, { title, body: 'x' }));
    }
    for (const post of posts) {
      await favoriteBy(fake, post.id, 'bob');
      fake.tick();
    }
    await favoriteBy(fake, posts[0]?.id ?? '', 'carol');
    await deletePost(fake.deps, { postId: posts[1]?.id ?? '', authorId: 'alice', correlationId: 'c' });

    const first = await listMyFavorites(fake.deps, { userId: 'bob', limit: 2 });
    expect(first.items.map((p) => p.title)).toEqual(['c']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listMyFavorites(fake.deps, {
      userId: 'bob',
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second).toEqual({ items: [expect.objectContaining({ title: 'a' })], nextCursor: null });
  });

  it('answers an empty page for a user without favorites', async () => {
    const fake = fakeDeps();
    expect(await listMyFavorites(fake.deps, { userId: 'nobody', limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
