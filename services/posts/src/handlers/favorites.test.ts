import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import type { Post } from '../domain/post';
import { type FakeDeps, fakeDeps } from '../testing/fakes';
import { alicePost, withPost } from '../testing/setup';
import { buildFavoritePostHandler } from './favorite-post';
import { buildListMyFavoritesHandler } from './list-my-favorites';
import { buildUnfavoritePostHandler } from './unfavorite-post';

const favorite = (method: 'PUT' | 'DELETE', postId: string, userId?: string) =>
  httpEvent({
    routeKey: `${method} /api/v1/posts/{postId}/favorite`,
    pathParameters: { postId },
    ...(userId ? { userId } : {}),
  });

/** Bob favorites the post through the route. */
const bobFavorites = (fake: FakeDeps, post: Post) =>
  buildFavoritePostHandler(fake.deps)(favorite('PUT', post.id, 'bob'), lambdaContext());

describe('PUT /api/v1/posts/{postId}/favorite', () => {
  it('answers 204 every time and counts once', async () => {
    const { fake, post } = await withPost();
    const handler = buildFavoritePostHandler(fake.deps);
    for (let i = 0; i < 2; i++) {
      const result = await handler(favorite('PUT', post.id, 'bob'), lambdaContext());
      expect(result.statusCode).toBe(204);
    }
    expect(fake.posts.rows.get(post.id)?.post.favoriteCount).toBe(1);
  });

  it('answers 404 for an unknown post and 401 without a user', async () => {
    const { fake } = await withPost();
    const handler = buildFavoritePostHandler(fake.deps);
    const missing = await handler(favorite('PUT', 'unknown', 'bob'), lambdaContext());
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toMatchObject({ error: { code: 'not_found' } });
    expect((await handler(favorite('PUT', 'unknown'), lambdaContext())).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/posts/{postId}/favorite', () => {
  it('answers 204 every time and uncounts once', async () => {
    const { fake, post } = await withPost();
    await bobFavorites(fake, post);
    const handler = buildUnfavoritePostHandler(fake.deps);
    for (let i = 0; i < 2; i++) {
      expect((await handler(favorite('DELETE', post.id, 'bob'), lambdaContext())).statusCode).toBe(204);
    }
    expect(fake.posts.rows.get(post.id)?.post.favoriteCount).toBe(0);
    expect((await handler(favorite('DELETE', post.id), lambdaContext())).statusCode).toBe(401);
  });
});

describe('GET /api/v1/me/favorites', () => {
  const mine = (userId?: string, query?: Record<string, string>) =>
    httpEvent({
      routeKey: 'GET /api/v1/me/favorites',
      ...(userId ? { userId } : {}),
      ...(query ? { query } : {}),
    });

  it('lists the caller’s favorite posts', async () => {
    const { fake, post } = await withPost();
    await bobFavorites(fake, post);
    const handler = buildListMyFavoritesHandler(fake.deps);
    const bobs = await handler(mine('bob'), lambdaContext());
    expect(bobs.statusCode).toBe(200);
    expect(bodyOf(bobs)).toEqual({ items: [{ ...post, favoriteCount: 1 }], nextCursor: null });
    expect(bodyOf(await handler(mine('carol'), lambdaContext()))).toEqual({ items: [], nextCursor: null });
  });

  it('answers 401 without a user and 400 for another user’s cursor', async () => {
    const fake = fakeDeps();
    const posts: Post[] = [];
    for (const title of ['a', 'b']) posts.push(await alicePost(fake, { title }));
    for (const post of posts) {
      await bobFavorites(fake, post);
      fake.tick();
    }
    const handler = buildListMyFavoritesHandler(fake.deps);
    expect((await handler(mine(), lambdaContext())).statusCode).toBe(401);
    const page = bodyOf(await handler(mine('bob', { limit: '1' }), lambdaContext())) as {
      nextCursor: string;
    };
    const stolen = await handler(mine('mallory', { cursor: page.nextCursor }), lambdaContext());
    expect(stolen.statusCode).toBe(400);
    expect(bodyOf(stolen)).toMatchObject({ error: { code: 'invalid_cursor' } });
  });
});
