import { describe, expect, it } from 'vitest';
import { createPost, type Post } from '../domain/posts';
import { bodyOf, fakeDeps, httpEvent, lambdaContext } from '../test-support';
import { deletePostHandler } from './delete-post';
import { updatePostHandler } from './update-post';

const route = '/api/v1/posts/{postId}';

const seed = async () => {
  const fake = fakeDeps();
  const post = await createPost(fake.deps, { authorId: 'alice', title: 'T', body: 'B' }, 'c');
  fake.tick();
  return { fake, post };
};

const patch = (postId: string, body: unknown, userId?: string) =>
  httpEvent({ method: 'PATCH', route, pathParameters: { postId }, body, ...(userId ? { userId } : {}) });

describe('PATCH /api/v1/posts/{postId}', () => {
  it('lets the author edit and answers 200 with the Post', async () => {
    const { fake, post } = await seed();
    const result = await updatePostHandler(() => fake.deps)(
      patch(post.id, { body: 'New' }, 'alice'),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ ...post, body: 'New', updatedAt: '2026-01-01T10:00:01.000Z' });
  });

  it('answers 403 forbidden to someone else and changes nothing', async () => {
    const { fake, post } = await seed();
    const result = await updatePostHandler(() => fake.deps)(
      patch(post.id, { body: 'X' }, 'mallory'),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'forbidden' } });
    expect(fake.posts.rows.get(post.id)?.post.body).toBe('B');
  });

  it('answers 404 for an unknown post, 400 for an empty patch, 401 without a user', async () => {
    const { fake, post } = await seed();
    const handler = updatePostHandler(() => fake.deps);
    expect((await handler(patch('unknown', { body: 'X' }, 'alice'), lambdaContext())).statusCode).toBe(404);
    const empty = await handler(patch(post.id, {}, 'alice'), lambdaContext());
    expect(empty.statusCode).toBe(400);
    expect(bodyOf(empty)).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await handler(patch(post.id, { body: 'X' }), lambdaContext())).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/posts/{postId}', () => {
  const remove = (postId: string, userId?: string) =>
    httpEvent({ method: 'DELETE', route, pathParameters: { postId }, ...(userId ? { userId } : {}) });

  it('lets the author delete (204), then answers 404', async () => {
    const { fake, post } = await seed();
    const handler = deletePostHandler(() => fake.deps);
    const deleted = await handler(remove(post.id, 'alice'), lambdaContext());
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await handler(remove(post.id, 'alice'), lambdaContext())).statusCode).toBe(404);
  });

  it('answers 403 to someone else and 401 without a user', async () => {
    const { fake, post } = await seed();
    const handler = deletePostHandler(() => fake.deps);
    expect((await handler(remove(post.id, 'mallory'), lambdaContext())).statusCode).toBe(403);
    expect((await handler(remove(post.id), lambdaContext())).statusCode).toBe(401);
    expect(fake.posts.rows.get(post.id)?.deletedAt).toBeUndefined();
  });

  it('publishes PostDeleted with the request’s correlation id', async () => {
    const { fake, post } = await seed();
    await deletePostHandler(() => fake.deps)(remove((post as Post).id, 'alice'), lambdaContext());
    expect(fake.events.published.at(-1)).toMatchObject({
      contract: { detailType: 'PostDeleted' },
      options: { correlationId: 'request-id' },
    });
  });
});
