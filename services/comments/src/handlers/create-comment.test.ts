import type { HttpResult } from '@live-comments/shared';
import { httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../testing/fakes';
import { buildCreateCommentHandler } from './create-comment';

const ROUTE = 'POST /api/v1/posts/{postId}/comments';

const setup = async (options: Parameters<typeof fakeSideEffects>[0] = {}) => {
  const world = fakeSideEffects(options);
  await world.knowPost('p1');
  const handler = buildCreateCommentHandler(world.deps);
  const post = async (options: {
    body?: unknown;
    userId?: string;
    postId?: string;
    headers?: Record<string, string>;
  }) =>
    (await handler(
      httpEvent({
        routeKey: ROUTE,
        pathParameters: { postId: options.postId ?? 'p1' },
        body: options.body,
        userId: 'userId' in options ? options.userId : 'alice',
        headers: options.headers,
      }),
      lambdaContext(),
    )) as HttpResult;
  return { world, post };
};

const json = (result: HttpResult) => JSON.parse(String(result.body));

describe('POST /api/v1/posts/{postId}/comments', () => {
  it('answers 201 with the new comment, its author being the token’s sub', async () => {
    const { post } = await setup();

    const result = await post({ body: { body: '  First!  ' } });

    expect(result.statusCode).toBe(201);
    expect(json(result)).toEqual({
      id: expect.any(String),
      postId: 'p1',
      authorId: 'alice',
      body: 'First!',
      createdAt: '2026-03-01T12:00:00.000Z',
      seq: 1,
    });
  });

  it('publishes CommentCreated under the request’s correlation id', async () => {
    const { world, post } = await setup();

    const result = await post({ body: { body: 'hi' }, headers: { 'x-correlation-id': 'trace-42' } });

    expect(result.headers?.['x-correlation-id']).toBe('trace-42');
    expect(world.published.map((e) => [e.detailType, e.correlationId])).toEqual([
      ['CommentCreated', 'trace-42'],
    ]);
  });

  it('answers 404 for a post it does not know', async () => {
    const { world, post } = await setup();

    const result = await post({ postId: 'unknown', body: { body: 'hi' } });

    expect(result.statusCode).toBe(404);
    expect(json(result)).toEqual({ error: { code: 'not_found', message: 'Post not found.' } });
    expect(world.commentRows.size).toBe(0);
  });

  it('answers 201 for a post created a moment ago, read from the posts service', async () => {
    const { world, post } = await setup();
    world.postsService.add({
      id: 'fresh',
      authorId: 'bob',
      createdAt: '2026-03-01T11:59:59.900Z',
      updatedAt: '2026-03-01T11:59:59.900Z',
    });

    const result = await post({ postId: 'fresh', body: { body: 'first!' } });

    expect(result.statusCode).toBe(201);
    expect(json(result)).toMatchObject({ postId: 'fresh', seq: 1 });
  });

  it('answers 503 unavailable with Retry-After when the post cannot be checked, and writes nothing', async () => {
    const { world, post } = await setup();
    world.postsService.unavailable('no answer within 2000 ms');

    const result = await post({ postId: 'fresh', body: { body: 'hi' } });

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(json(result)).toEqual({
      error: { code: 'unavailable', message: 'The post cannot be checked right now; try again.' },
    });
    expect(world.commentRows.size).toBe(0);
  });

  it.each([
    ['an empty body', { body: '' }],
    ['only whitespace', { body: ' \n\t ' }],
    ['no body field', {}],
    ['a body that is not a string', { body: 42 }],
    ['more than 4000 characters', { body: 'x'.repeat(4001) }],
  ])('answers 400 validation_failed for %s and writes nothing', async (_, body) => {
    const { world, post } = await setup();

    const result = await post({ body });

    expect(result.statusCode).toBe(400);
    expect(json(result).error.code).toBe('validation_failed');
    expect(world.commentRows.size).toBe(0);
    expect(world.postRows.get('p1')?.nextSeq).toBeUndefined();
  });

  it('accepts 4000 characters, counting an emoji as one', async () => {
    const { post } = await setup();

    expect((await post({ body: { body: 'x'.repeat(4000) } })).statusCode).toBe(201);
    expect((await post({ body: { body: '😀'.repeat(4000) } })).statusCode).toBe(201);
  });

  it('stores any Unicode text as written, and answers 400 for a character SQS could not deliver', async () => {
    const { world, post } = await setup();
    const text = 'Congrats 🎉 \u2028 👩‍👩‍👧 𠜎 مرحبا 漢字 e\u0301 "\\"';
    const created = await post({ body: { body: text } });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ body: text });
    for (const body of ['bad \uFFFE', 'bad \uFFFF', 'half \uD83D']) {
      const refused = await post({ body: { body } });
      expect(refused.statusCode).toBe(400);
      expect(json(refused)).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect(world.published).toHaveLength(1);
  });

  it('answers 413 for a request body over 32 KiB', async () => {
    const { post } = await setup();

    const result = await post({ body: { body: 'x'.repeat(33 * 1024) } });

    expect(result.statusCode).toBe(413);
    expect(json(result).error.code).toBe('payload_too_large');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { post } = await setup();

    expect((await post({ body: '{"body":' })).statusCode).toBe(400);
  });

  it("answers 429 rate_limited with Retry-After past the user's write limit, and stores nothing", async () => {
    const { world, post } = await setup({ writeLimit: { perMinute: 10, burst: 5 } });

    const results = [];
    for (let i = 0; i < 8; i++) results.push(await post({ body: { body: `flood ${i}` } }));

    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    expect(results[5]?.headers?.['retry-after']).toBe('6');
    expect(json(results[5] as HttpResult)).toEqual({
      error: { code: 'rate_limited', message: expect.any(String) },
    });
    expect(world.commentRows.size).toBe(5);
    expect(world.published).toHaveLength(5);
    // Another user is not slowed; alice writes again once Retry-After has passed.
    expect((await post({ body: { body: 'hi' }, userId: 'bob' })).statusCode).toBe(201);
    world.advance(6000);
    expect((await post({ body: { body: 'again' } })).statusCode).toBe(201);
    expect((await post({ body: { body: 'too soon' } })).statusCode).toBe(429);
  });

  it('counts a refused attempt too (a flood of invalid writes is still a flood)', async () => {
    const { world, post } = await setup({ writeLimit: { perMinute: 10, burst: 2 } });

    expect((await post({ body: { body: '' } })).statusCode).toBe(400);
    expect((await post({ postId: 'unknown', body: { body: 'hi' } })).statusCode).toBe(404);
    expect((await post({ body: { body: 'hi' } })).statusCode).toBe(429);
    expect(world.limitedWrites).toEqual(['alice', 'alice', 'alice']);
  });

  it('answers 401 when the request carries no user', async () => {
    const { world, post } = await setup();

    const result = await post({ body: { body: 'hi' }, userId: undefined });

    expect(result.statusCode).toBe(401);
    expect(json(result).error.code).toBe('unauthorized');
    expect(world.commentRows.size).toBe(0);
  });
});
