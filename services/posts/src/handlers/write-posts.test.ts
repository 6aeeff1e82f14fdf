import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { withPost } from '../testing/setup';
import { buildDeletePostHandler } from './delete-post';
import { buildUpdatePostHandler } from './update-post';

/** A post by alice, and a second later. */
const seed = async () => {
  const seeded = await withPost();
  seeded.fake.tick();
  return seeded;
};

const caller = (userId?: string) => (userId ? { userId } : {});

describe('PATCH /api/v1/posts/{postId}', () => {
  const patch = (postId: string, body: unknown, userId?: string) =>
    httpEvent({
      routeKey: 'PATCH /api/v1/posts/{postId}',
      pathParameters: { postId },
      body,
      ...caller(userId),
    });
  const setup = async () => {
    const { fake, post } = await seed();
    const handler = buildUpdatePostHandler(fake.deps);
    const send = (postId: string, body: unknown, userId?: string) =>
      handler(patch(postId, body, userId), lambdaContext());
    return { fake, post, send };
  };

  it('lets the author edit and answers 200 with the Post', async () => {
    const { post, send } = await setup();
    const result = await send(post.id, { body: 'New' }, 'alice');
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ ...post, body: 'New', updatedAt: '2026-01-01T10:00:01.000Z' });
  });

  it('answers 403 forbidden to someone else and changes nothing', async () => {
    const { fake, post, send } = await setup();
    const result = await send(post.id, { body: 'X' }, 'mallory');
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'forbidden' } });
    expect(fake.posts.rows.get(post.id)?.post.body).toBe('B');
  });

  it('answers 404 for an unknown post, 400 for an empty patch, 401 without a user', async () => {
    const { post, send } = await setup();
    expect((await send('unknown', { body: 'X' }, 'alice')).statusCode).toBe(404);
    const empty = await send(post.id, {}, 'alice');
    expect(empty.statusCode).toBe(400);
    expect(bodyOf(empty)).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await send(post.id, { body: 'X' })).statusCode).toBe(401);
  });
});

describe('DELETE /api/v1/posts/{postId}', () => {
  const remove = (postId: string, userId?: string) =>
    httpEvent({ routeKey: 'DELETE /api/v1/posts/{postId}', pathParameters: { postId }, ...caller(userId) });
  const setup = async () => {
    const { fake, post } = await seed();
    const handler = buildDeletePostHandler(fake.deps);
    return { fake, post, handler };
  };

  it('lets the author delete (204), then answers 404', async () => {
    const { post, handler } = await setup();
    const deleted = await handler(remove(post.id, 'alice'), lambdaContext());
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await handler(remove(post.id, 'alice'), lambdaContext())).statusCode).toBe(404);
  });

  it('answers 403 to someone else and 401 without a user', async () => {
    const { fake, post, handler } = await setup();
    expect((await handler(remove(post.id, 'mallory'), lambdaContext())).statusCode).toBe(403);
    expect((await handler(remove(post.id), lambdaContext())).statusCode).toBe(401);
    expect(fake.posts.rows.get(post.id)?.deletedAt).toBeUndefined();
  });

  it('publishes PostDeleted with the request’s correlation id', async () => {
    const { fake, post, handler } = await setup();
    const event = remove(post.id, 'alice');
    await handler(event, lambdaContext());
    expect(fake.events.published.at(-1)).toMatchObject({
      contract: { detailType: 'PostDeleted' },
      options: { correlationId: event.requestContext.requestId },
    });
  });
});
