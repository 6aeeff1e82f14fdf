import type { HttpResult } from '@live-comments/shared';
import { httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { handler } from './health';

describe('GET /api/v1/health/comments', () => {
  it('answers 200 healthy for the comments service', async () => {
    const result = (await handler(
      httpEvent({ routeKey: 'GET /api/v1/health/comments' }),
      lambdaContext(),
    )) as HttpResult;

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(String(result.body))).toMatchObject({
      status: 'healthy',
      service: 'comments',
      timestamp: expect.any(String),
    });
  });
});
