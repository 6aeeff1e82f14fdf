import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { handler } from './health';

describe('GET /api/v1/health/posts', () => {
  it('answers 200 healthy without auth', async () => {
    const result = await handler(httpEvent({ routeKey: 'GET /api/v1/health/posts' }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({
      status: 'healthy',
      service: 'posts',
      timestamp: expect.any(String),
    });
  });
});
