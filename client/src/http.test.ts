import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from './http';

/** A client whose fetch always gives this answer. */
const answering = (status: number, body: string, headers: Record<string, string> = {}) =>
  createApiClient({
    apiUrl: 'http://api.test',
    token: () => 'token',
    fetch: async () =>
      new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } }),
  });

const thrown = async (promise: Promise<unknown>): Promise<ApiError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
};

describe('createApiClient errors', () => {
  it('surfaces 429 rate_limited with its Retry-After in seconds', async () => {
    const api = answering(
      429,
      JSON.stringify({ error: { code: 'rate_limited', message: 'Too many writes; try again later.' } }),
      { 'retry-after': '6' },
    );
    const error = await thrown(api.createComment('p1', 'hi'));
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      message: 'Too many writes; try again later.',
      retryAfterSeconds: 6,
    });
  });

  it("surfaces API Gateway's own 429 (stage or account throttling) as throttled", async () => {
    const error = await thrown(answering(429, '{"message":"Too Many Requests"}').listPosts());
    expect(error).toMatchObject({ status: 429, code: 'throttled', message: 'Too Many Requests' });
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('reads Retry-After on 503 unavailable too, and leaves it undefined when absent', async () => {
    const unavailable = await thrown(
      answering(503, JSON.stringify({ error: { code: 'unavailable', message: 'later' } }), {
        'retry-after': '1',
      }).createComment('p1', 'hi'),
    );
    expect(unavailable).toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });
    const notFound = await thrown(
      answering(404, JSON.stringify({ error: { code: 'not_found', message: 'Post not found.' } })).getPost(
        'x',
      ),
    );
    expect(notFound.retryAfterSeconds).toBeUndefined();
  });
});
