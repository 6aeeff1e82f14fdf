import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { httpEvent } from './test-support';

// The recorded event lives outside the repository (../shared/conformance); compare when it is there.
const recorded = fileURLToPath(
  new URL(
    '../../../../shared/conformance/lambda-events/apigw-v2-request-jwt-authorizer.json',
    import.meta.url,
  ),
);

const keysOf = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.keys(value).sort() : [];

describe('httpEvent', () => {
  it.skipIf(!existsSync(recorded))(
    'has the fields of a recorded HTTP API event with a JWT authorizer',
    () => {
      const real = JSON.parse(readFileSync(recorded, 'utf8')) as Record<string, Record<string, unknown>>;
      const ours = httpEvent({
        method: 'POST',
        route: '/api/v1/posts/{postId}',
        pathParameters: { postId: 'p1' },
        query: { a: '1' },
        body: {},
        userId: 'alice',
      }) as unknown as Record<string, Record<string, unknown>>;
      // cookies and stageVariables appear only when the request has them; clientCert only with mutual TLS.
      const optional = new Set(['cookies', 'stageVariables', 'authentication']);
      expect(keysOf(ours)).toEqual(keysOf(real).filter((k) => !optional.has(k)));
      expect(keysOf(ours.requestContext)).toEqual(
        keysOf(real.requestContext).filter((k) => !optional.has(k)),
      );
      expect(keysOf(ours.requestContext?.http)).toEqual(keysOf(real.requestContext?.http));
      expect(keysOf(ours.requestContext?.authorizer)).toEqual(
        expect.arrayContaining(keysOf(real.requestContext?.authorizer)),
      );
    },
  );

  it('carries the caller only when a user is given', () => {
    const anonymous = httpEvent({ method: 'GET', route: '/api/v1/posts' });
    expect(anonymous.requestContext.authorizer).toBeUndefined();
    const alice = httpEvent({ method: 'GET', route: '/api/v1/posts', userId: 'alice' });
    expect(alice.requestContext.authorizer?.jwt.claims.sub).toBe('alice');
  });
});
