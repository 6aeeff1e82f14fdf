import type { HttpResult } from '@live-comments/shared';
import { httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSideEffects, fakesWithComment } from '../testing/fakes';
import { buildDeleteCommentHandler } from './delete-comment';

describe('DELETE /api/v1/posts/{postId}/comments/{commentId}', () => {
  let world: FakeSideEffects;
  let commentId: string;

  beforeEach(async () => {
    ({ world, commentId } = await fakesWithComment());
  });

  const remove = async (userId: string | undefined, ids: { postId?: string; commentId?: string } = {}) =>
    (await buildDeleteCommentHandler(world.deps)(
      httpEvent({
        routeKey: 'DELETE /api/v1/posts/{postId}/comments/{commentId}',
        pathParameters: { postId: ids.postId ?? 'p1', commentId: ids.commentId ?? commentId },
        ...(userId ? { userId } : {}),
        headers: { 'x-correlation-id': 'trace-del' },
      }),
      lambdaContext(),
    )) as HttpResult;

  it('answers 204 to the author and announces CommentDeleted under the request’s correlation id', async () => {
    const result = await remove('alice');

    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
    expect(world.commentRows.get('p1#1')?.deletedAt).toBeDefined();
    expect(world.published.at(-1)).toMatchObject({
      detailType: 'CommentDeleted',
      correlationId: 'trace-del',
    });
  });

  it('answers 403 to anyone else', async () => {
    const result = await remove('mallory');

    expect(result.statusCode).toBe(403);
    expect(JSON.parse(String(result.body)).error.code).toBe('forbidden');
    expect(world.commentRows.size).toBe(1);
  });

  it('answers 404 for an unknown comment, another post, or a second delete', async () => {
    expect((await remove('alice', { commentId: 'nope' })).statusCode).toBe(404);
    expect((await remove('alice', { postId: 'p2' })).statusCode).toBe(404);
    expect((await remove('alice')).statusCode).toBe(204);
    expect((await remove('alice')).statusCode).toBe(404);
  });

  it("shares the user's comment write limit: 429 rate_limited with Retry-After, and the comment stays", async () => {
    ({ world, commentId } = await fakesWithComment({}, { writeLimit: { perMinute: 10, burst: 1 } }));
    // One write at once: a failed attempt uses it (mallory's allowance is her own).
    expect((await remove('alice', { commentId: 'nope' })).statusCode).toBe(404);
    const refused = await remove('alice');

    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['retry-after']).toBe('6');
    expect(JSON.parse(String(refused.body)).error.code).toBe('rate_limited');
    expect(world.commentRows.get('p1#1')?.deletedAt).toBeUndefined();
    expect((await remove('mallory')).statusCode).toBe(403);
  });

  it('answers 401 without a user', async () => {
    expect((await remove(undefined)).statusCode).toBe(401);
    expect(world.commentRows.size).toBe(1);
  });
});
