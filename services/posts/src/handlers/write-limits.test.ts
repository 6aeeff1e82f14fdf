import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { buildCreatePostHandler } from './create-post';
import { buildDeletePostHandler } from './delete-post';
import { buildFavoritePostHandler } from './favorite-post';
import { buildUnfavoritePostHandler } from './unfavorite-post';
import { buildUpdatePostHandler } from './update-post';

const limits = { posts: { perMinute: 5, burst: 3 }, favorites: { perMinute: 30, burst: 2 } };

const create = (userId: string, title = 'T') =>
  httpEvent({ routeKey: 'POST /api/v1/posts', body: { title, body: 'B' }, userId });
const patch = (postId: string, userId: string) =>
  httpEvent({
    routeKey: 'PATCH /api/v1/posts/{postId}',
    pathParameters: { postId },
    body: { body: 'X' },
    userId,
  });
const remove = (postId: string, userId: string) =>
  httpEvent({ routeKey: 'DELETE /api/v1/posts/{postId}', pathParameters: { postId }, userId });
const favorite = (method: 'PUT' | 'DELETE', postId: string, userId: string) =>
  httpEvent({ routeKey: `${method} /api/v1/posts/{postId}/favorite`, pathParameters: { postId }, userId });

describe("the posts service's write limits", () => {
  it('count create, update and delete against one allowance per user: 429 rate_limited with Retry-After', async () => {
    const fake = fakeDeps(undefined, limits);
    const context = lambdaContext();
    const created = await buildCreatePostHandler(fake.deps)(create('alice'), context);
    expect(created.statusCode).toBe(201);
    const { id } = bodyOf(created) as { id: string };
    expect((await buildUpdatePostHandler(fake.deps)(patch(id, 'alice'), context)).statusCode).toBe(200);
    expect((await buildDeletePostHandler(fake.deps)(remove(id, 'alice'), context)).statusCode).toBe(204);

    const refused = await buildCreatePostHandler(fake.deps)(create('alice', 'fourth'), context);
    expect(refused.statusCode).toBe(429);
    // 5 a minute: one every 12 s.
    expect(refused.headers?.['retry-after']).toBe('12');
    expect(bodyOf(refused)).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    // The refused create stored nothing (the one post was deleted).
    expect(fake.posts.rows.size).toBe(0);
    expect(fake.favorites.byUser.size).toBe(0);

    // Bob is not slowed, nor is alice's favoriting: it has an allowance of its own.
    expect((await buildCreatePostHandler(fake.deps)(create('bob'), context)).statusCode).toBe(201);
    const bobs = [...fake.posts.rows.values()].find((row) => row.post.authorId === 'bob');
    expect(
      (await buildFavoritePostHandler(fake.deps)(favorite('PUT', bobs?.post.id ?? '', 'alice'), context))
        .statusCode,
    ).toBe(204);
  });

  it('count favorite and unfavorite against their own allowance', async () => {
    const fake = fakeDeps(undefined, limits);
    const context = lambdaContext();
    const { id } = bodyOf(await buildCreatePostHandler(fake.deps)(create('alice'), context)) as {
      id: string;
    };
    expect((await buildFavoritePostHandler(fake.deps)(favorite('PUT', id, 'bob'), context)).statusCode).toBe(
      204,
    );
    expect(
      (await buildUnfavoritePostHandler(fake.deps)(favorite('DELETE', id, 'bob'), context)).statusCode,
    ).toBe(204);
    const refused = await buildFavoritePostHandler(fake.deps)(favorite('PUT', id, 'bob'), context);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['retry-after']).toBe('2');
    expect(fake.posts.rows.get(id)?.post.favoriteCount).toBe(0);
    fake.tick(2000);
    expect((await buildFavoritePostHandler(fake.deps)(favorite('PUT', id, 'bob'), context)).statusCode).toBe(
      204,
    );
  });
});
