import { describe, expect, it } from 'vitest';
import { createPost, type Post } from '../domain/posts';
import { bodyOf, fakeDeps, httpEvent, lambdaContext } from '../test-support';
import { getPostHandler } from './get-post';
import { listPostsHandler } from './list-posts';

const seed = async (count: number) => {
  const fake = fakeDeps();
  const posts: Post[] = [];
  for (let i = 0; i < count; i++) {
    posts.push(await createPost(fake.deps, { authorId: 'alice', title: `T${i}`, body: 'B' }, 'c'));
    fake.tick();
  }
  return { fake, posts };
};

describe('GET /api/v1/posts/{postId}', () => {
  const route = '/api/v1/posts/{postId}';

  it('answers 200 with the post, without auth', async () => {
    const { fake, posts } = await seed(1);
    const post = posts[0] as Post;
    const result = await getPostHandler(() => fake.deps)(
      httpEvent({ method: 'GET', route, pathParameters: { postId: post.id } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual(post);
  });

  it('answers 404 not_found for an unknown post and 400 for an id that cannot be one', async () => {
    const { fake } = await seed(0);
    const handler = getPostHandler(() => fake.deps);
    const missing = await handler(
      httpEvent({ method: 'GET', route, pathParameters: { postId: 'unknown' } }),
      lambdaContext(),
    );
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toEqual({ error: { code: 'not_found', message: 'No post with this id.' } });
    const invalid = await handler(
      httpEvent({ method: 'GET', route, pathParameters: { postId: 'outbox#1' } }),
      lambdaContext(),
    );
    expect(invalid.statusCode).toBe(400);
  });
});

describe('GET /api/v1/posts', () => {
  const route = '/api/v1/posts';

  it('lists newest first with 20 by default', async () => {
    const { fake } = await seed(21);
    const result = await listPostsHandler(() => fake.deps)(
      httpEvent({ method: 'GET', route }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    const page = bodyOf(result) as { items: Post[]; nextCursor: string | null };
    expect(page.items).toHaveLength(20);
    expect(page.items[0]?.title).toBe('T20');
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('follows the cursor to the end', async () => {
    const { fake } = await seed(3);
    const handler = listPostsHandler(() => fake.deps);
    const first = bodyOf(
      await handler(httpEvent({ method: 'GET', route, query: { limit: '2' } }), lambdaContext()),
    ) as { items: Post[]; nextCursor: string };
    const second = bodyOf(
      await handler(
        httpEvent({ method: 'GET', route, query: { limit: '2', cursor: first.nextCursor } }),
        lambdaContext(),
      ),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ title: 'T0' })], nextCursor: null });
  });

  it.each([['0'], ['101'], ['ten'], ['2.5']])('answers 400 for limit=%s', async (limit) => {
    const { fake } = await seed(0);
    const result = await listPostsHandler(() => fake.deps)(
      httpEvent({ method: 'GET', route, query: { limit } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers 400 invalid_cursor for a tampered cursor', async () => {
    const { fake } = await seed(3);
    const handler = listPostsHandler(() => fake.deps);
    const first = bodyOf(
      await handler(httpEvent({ method: 'GET', route, query: { limit: '1' } }), lambdaContext()),
    ) as { nextCursor: string };
    const tampered = `${first.nextCursor.slice(0, -2)}x`;
    const result = await handler(
      httpEvent({ method: 'GET', route, query: { cursor: tampered } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_cursor' } });
  });
});
