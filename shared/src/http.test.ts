import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ForbiddenError } from './errors';
import { type HttpEvent, type HttpResult, httpHandler, json, noContent } from './http';
import { type HttpEventOptions, httpEvent, lambdaContext } from './testing';

const context = lambdaContext('test', 1000);

/** A `POST /things` request from the kit, with the API Gateway request id the correlation assertions name. */
const event = (
  options: Omit<HttpEventOptions, 'routeKey'> & { isBase64Encoded?: boolean } = {},
): HttpEvent => {
  const { isBase64Encoded = false, ...request } = options;
  const built = httpEvent({ routeKey: 'POST /things', ...request });
  return {
    ...built,
    isBase64Encoded,
    requestContext: { ...built.requestContext, requestId: 'request-id-1' },
  };
};

const call = async (handler: ReturnType<typeof httpHandler>, e: HttpEvent) =>
  (await handler(e, context)) as HttpResult & { headers: Record<string, string> };

const create = httpHandler(
  { auth: true, body: z.object({ title: z.string().min(1) }), maxBodyBytes: 100 },
  async ({ body, userId }) => json(201, { title: body.title, by: userId }),
);

describe('httpHandler', () => {
  it('parses the body and passes the caller from the JWT claims', async () => {
    const result = await call(create, event({ body: '{"title":"hi"}', userId: 'alice' }));
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body ?? '')).toEqual({ title: 'hi', by: 'alice' });
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.headers['x-correlation-id']).toBe('request-id-1');
  });

  it('answers 401 when an authenticated route has no claims', async () => {
    const result = await call(create, event({ body: '{"title":"hi"}' }));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) },
    });
  });

  it('answers 400 validation_failed on malformed JSON', async () => {
    const result = await call(create, event({ body: '{"title":', userId: 'alice' }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').error.code).toBe('validation_failed');
  });

  it('answers 400 with the invalid fields named', async () => {
    const result = await call(create, event({ body: '{"title":""}', userId: 'alice' }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').error.details).toEqual([
      { path: 'title', message: expect.any(String) },
    ]);
  });

  it('answers 413 payload_too_large above the byte limit', async () => {
    const result = await call(
      create,
      event({ body: JSON.stringify({ title: 'x'.repeat(200) }), userId: 'alice' }),
    );
    expect(result.statusCode).toBe(413);
    expect(JSON.parse(result.body ?? '').error.code).toBe('payload_too_large');
  });

  it('decodes base64 bodies', async () => {
    const body = Buffer.from('{"title":"b64"}').toString('base64');
    const result = await call(create, event({ body, isBase64Encoded: true, userId: 'alice' }));
    expect(JSON.parse(result.body ?? '').title).toBe('b64');
  });

  it('answers 415 for a body that is declared as something other than JSON', async () => {
    const result = await call(
      create,
      event({
        body: 'title=hi',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        userId: 'alice',
      }),
    );
    expect(result.statusCode).toBe(415);
  });

  it('maps typed errors by class and hides unknown ones behind a 500', async () => {
    const forbidden = httpHandler({}, async () => {
      throw new ForbiddenError('Only the author can do that.');
    });
    const broken = httpHandler({}, async () => {
      throw new Error('secret detail');
    });
    const denied = await call(forbidden, event());
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body ?? '')).toEqual({
      error: { code: 'forbidden', message: 'Only the author can do that.' },
    });
    const failed = await call(broken, event());
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('secret');
  });

  it('validates path and query parameters', async () => {
    const get = httpHandler(
      {
        path: z.object({ id: z.string().regex(/^[a-z]+$/) }),
        query: z.object({ limit: z.coerce.number().max(5) }),
      },
      async ({ path, query }) => json(200, { id: path.id, limit: query.limit }),
    );
    const ok = await call(get, event({ pathParameters: { id: 'abc' }, query: { limit: '3' } }));
    expect(JSON.parse(ok.body ?? '')).toEqual({ id: 'abc', limit: 3 });
    const bad = await call(get, event({ pathParameters: { id: 'abc' }, query: { limit: '9' } }));
    expect(bad.statusCode).toBe(400);
  });

  it('keeps a valid x-correlation-id from the caller and answers 204 without a body', async () => {
    const remove = httpHandler({}, async () => noContent());
    const result = await call(remove, event({ headers: { 'X-Correlation-Id': 'trace-42' } }));
    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
    expect(result.headers['x-correlation-id']).toBe('trace-42');
  });
});
