import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { buildCreatePostHandler } from './create-post';

const routeKey = 'POST /api/v1/posts';

describe('POST /api/v1/posts', () => {
  it('creates a post by the caller and answers 201 with the Post', async () => {
    const fake = fakeDeps();
    const event = httpEvent({ routeKey, userId: 'alice', body: { title: ' Hello ', body: 'World' } });
    const result = await buildCreatePostHandler(fake.deps)(event, lambdaContext());
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({
      id: expect.any(String),
      authorId: 'alice',
      title: 'Hello',
      body: 'World',
      createdAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-01-01T10:00:00.000Z',
      commentCount: 0,
      favoriteCount: 0,
    });
    expect(fake.events.published[0]?.options.correlationId).toBe(event.requestContext.requestId);
  });

  it('uses the x-correlation-id of the request for the event', async () => {
    const fake = fakeDeps();
    await buildCreatePostHandler(fake.deps)(
      httpEvent({
        routeKey,
        userId: 'alice',
        body: { title: 'T', body: 'B' },
        headers: { 'x-correlation-id': 'trace-42' },
      }),
      lambdaContext(),
    );
    expect(fake.events.published[0]?.options.correlationId).toBe('trace-42');
  });

  it('answers 401 without a user', async () => {
    const fake = fakeDeps();
    const result = await buildCreatePostHandler(fake.deps)(
      httpEvent({ routeKey, body: { title: 'T', body: 'B' } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(fake.posts.rows.size).toBe(0);
  });

  it.each([
    ['a blank title', { title: '  ', body: 'B' }],
    ['a missing body', { title: 'T' }],
    ['a title too long', { title: 'x'.repeat(201), body: 'B' }],
    ['an unknown field', { title: 'T', body: 'B', authorId: 'mallory' }],
    ['a body that is not an object', ['T', 'B']],
  ])('answers 400 validation_failed for %s and stores nothing', async (_, body) => {
    const fake = fakeDeps();
    const result = await buildCreatePostHandler(fake.deps)(
      httpEvent({ routeKey, userId: 'alice', body }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'validation_failed' } });
    expect(fake.posts.rows.size).toBe(0);
    expect(fake.events.published).toHaveLength(0);
  });

  it('takes any Unicode text as written, and answers 400 for a character SQS could not deliver', async () => {
    const fake = fakeDeps();
    const create = (title: string) =>
      buildCreatePostHandler(fake.deps)(
        httpEvent({ routeKey, userId: 'alice', body: { title, body: 'B' } }),
        lambdaContext(),
      );
    const party = await create('Party 🎉 👩‍👩‍👧 𠜎 שלום e\u0301 "\\"');
    expect(party.statusCode).toBe(201);
    expect(bodyOf(party)).toMatchObject({ title: 'Party 🎉 👩‍👩‍👧 𠜎 שלום e\u0301 "\\"' });
    for (const title of ['bad \uFFFE', 'bad \uFFFF', 'half \uD83D']) {
      const refused = await create(title);
      expect(refused.statusCode).toBe(400);
      expect(bodyOf(refused)).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect(fake.events.published).toHaveLength(1);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const fake = fakeDeps();
    const result = await buildCreatePostHandler(fake.deps)(
      httpEvent({ routeKey, userId: 'alice', body: '{"title":' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(400);
  });
});
