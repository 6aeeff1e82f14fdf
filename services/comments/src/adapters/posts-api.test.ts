import { describe, expect, it } from 'vitest';
import { buildPostsApi } from './posts-api';

const BASE = 'https://abc123.execute-api.us-east-1.amazonaws.com';

const post = {
  id: 'p 1/é',
  authorId: 'bob',
  title: 'Hello',
  body: 'First post',
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:01.000Z',
  commentCount: 0,
  favoriteCount: 0,
};

const answer = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

/** A fetch that answers with `respond` and records what it was asked. */
const fakeFetch = (respond: (url: string, init: RequestInit) => Promise<Response>) => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return respond(String(url), init ?? {});
  }) as typeof globalThis.fetch;
  return { fetch, calls };
};

const find = (fetch: typeof globalThis.fetch, timeoutMs?: number) =>
  buildPostsApi({ baseUrl: `${BASE}/`, fetch, ...(timeoutMs ? { timeoutMs } : {}) }).find(post.id, {
    correlationId: 'corr-7',
  });

describe('buildPostsApi', () => {
  it('reads the post from the public route, carrying the correlation id, and keeps what the projection records', async () => {
    const { fetch, calls } = fakeFetch(async () => answer(200, post));

    expect(await find(fetch)).toEqual({
      status: 'found',
      post: { id: post.id, authorId: 'bob', createdAt: post.createdAt, updatedAt: post.updatedAt },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(`${BASE}/api/v1/posts/p%201%2F%C3%A9`);
    expect(calls[0]?.init.headers).toMatchObject({ 'x-correlation-id': 'corr-7' });
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('says not-found for the contract’s 404', async () => {
    const { fetch } = fakeFetch(async () =>
      answer(404, { error: { code: 'not_found', message: 'Post not found.' } }),
    );

    expect(await find(fetch)).toEqual({ status: 'not-found' });
  });

  it.each([
    ['API Gateway’s own 404 (a wrong URL)', answer(404, { message: 'Not Found' }), 'answered 404'],
    ['a 500', answer(500, { error: { code: 'internal_error', message: 'x' } }), 'answered 500'],
    ['a 503 without a body', answer(503), 'answered 503'],
    ['a 429', answer(429, { message: 'Too Many Requests' }), 'answered 429'],
    ['a 200 that is not JSON', answer(200, '<html>'), 'without this post'],
    ['a 200 of another post', answer(200, { ...post, id: 'other' }), 'without this post'],
  ])('says unavailable, never not-found, for %s', async (_, response, reason) => {
    const { fetch } = fakeFetch(async () => response);

    const lookup = await find(fetch);

    expect(lookup.status).toBe('unavailable');
    expect(lookup).toMatchObject({ reason: expect.stringContaining(reason) });
  });

  it('says unavailable when the posts service is unreachable, naming the socket error', async () => {
    const { fetch } = fakeFetch(async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:8000') });
    });

    expect(await find(fetch)).toEqual({
      status: 'unavailable',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('gives up after the timeout, waiting for the headers or for the body', async () => {
    const never = (init: RequestInit) =>
      new Promise<never>((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const slowHeaders = fakeFetch(async (_, init) => never(init));
    const slowBody = fakeFetch(async (_, init) => {
      const body = new ReadableStream({
        start(controller) {
          init.signal?.addEventListener('abort', () => controller.error(init.signal?.reason));
        },
      });
      return new Response(body, { status: 200 });
    });

    for (const { fetch } of [slowHeaders, slowBody]) {
      const started = Date.now();
      expect(await find(fetch, 50)).toEqual({
        status: 'unavailable',
        reason: expect.stringContaining('no answer within 50 ms'),
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});
