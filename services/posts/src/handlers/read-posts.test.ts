import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import type { Post } from '../domain/post';
import { fakeDeps } from '../testing/fakes';
import { alicePost } from '../testing/setup';
import { buildGetPostHandler } from './get-post';
import { buildListPostsHandler } from './list-posts';

/** `count` posts by alice titled T0, T1, ..., a second apart. */
const seed = async (count: number) => {
  const fake = fakeDeps();
  const posts: Post[] = [];
  for (let i = 0; i < count; i++) {
    posts.push(await alicePost(fake, { title: `T${i}` }));
    fake.tick();
  }
  return { fake, posts };
};

describe('GET /api/v1/posts/{postId}', () => {
  const get = (postId: string) =>
    httpEvent({ routeKey: 'GET /api/v1/posts/{postId}', pathParameters: { postId } });

  it('answers 200 with the post, without auth', async () => {
    const { fake, posts } = await seed(1);
    const post = posts[0] as Post;
    const result = await buildGetPostHandler(fake.deps)(get(post.id), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual(post);
  });

  it('answers 404 not_found for an unknown post and 400 for an id that cannot be one', async () => {
    const { fake } = await seed(0);
    const handler = buildGetPostHandler(fake.deps);
    const missing = await handler(get('unknown'), lambdaContext());
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toEqual({ error: { code: 'not_found', message: 'No post with this id.' } });
    const invalid = await handler(get('outbox#1'), lambdaContext());
    expect(invalid.statusCode).toBe(400);
  });
});

describe('GET /api/v1/posts', () => {
  const list = (query?: Record<string, string>) =>
    httpEvent({ routeKey: 'GET /api/v1/posts', ...(query ? { query } : {}) });
  const setup = async (count: number) => {
    const { fake } = await seed(count);
    const handler = buildListPostsHandler(fake.deps);
    return (query?: Record<string, string>) => handler(list(query), lambdaContext());
  };

  it('lists newest first with 20 by default', async () => {
    const send = await setup(21);
    const result = await send();
    expect(result.statusCode).toBe(200);
    const page = bodyOf(result) as { items: Post[]; nextCursor: string | null };
    expect(page.items).toHaveLength(20);
    expect(page.items[0]?.title).toBe('T20');
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('follows the cursor to the end', async () => {
    const send = await setup(3);
    const first = bodyOf(await send({ limit: '2' })) as { items: Post[]; nextCursor: string };
    const second = bodyOf(await send({ limit: '2', cursor: first.nextCursor }));
    expect(second).toEqual({ items: [expect.objectContaining({ title: 'T0' })], nextCursor: null });
  });

  it.each([['0'], ['101'], ['ten'], ['2.5']])('answers 400 for limit=%s', async (limit) => {
    const send = await setup(0);
    const result = await send({ limit });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers 400 invalid_cursor for a tampered cursor', async () => {
    const send = await setup(3);
    const first = bodyOf(await send({ limit: '1' })) as { nextCursor: string };
    const tampered = `${first.nextCursor.slice(0, -2)}x`;
    const result = await send({ cursor: tampered });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_cursor' } });
  });
});
