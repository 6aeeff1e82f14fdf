import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, httpEvent, sqsEvent } from './testing';

/** A recording as AWS sent it, read here without the kit's own loader. */
const recording = (name: string) =>
  JSON.parse(readFileSync(join(conformanceDir, 'lambda-events', `${name}.json`), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

const keysOf = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.keys(value).sort() : [];

describe('httpEvent', () => {
  it('has every field of the recorded HTTP API event with a JWT authorizer', () => {
    const real = recording('apigw-v2-request-jwt-authorizer');
    const ours = httpEvent({
      routeKey: 'POST /api/v1/posts/{postId}',
      pathParameters: { postId: 'p1' },
      query: { a: '1' },
      body: {},
      userId: 'alice',
    }) as unknown as Record<string, Record<string, unknown>>;
    // cookies and stageVariables appear only when the request has them.
    const optional = new Set(['cookies', 'stageVariables']);
    expect(keysOf(ours)).toEqual(keysOf(real).filter((k) => !optional.has(k)));
    expect(keysOf(ours.requestContext)).toEqual(keysOf(real.requestContext));
    expect(keysOf(ours.requestContext?.http)).toEqual(keysOf(real.requestContext?.http));
    expect(keysOf(ours.requestContext?.authorizer)).toEqual(
      expect.arrayContaining(keysOf(real.requestContext?.authorizer)),
    );
  });

  it('carries the caller only when a user is given', () => {
    const anonymous = httpEvent({ routeKey: 'GET /api/v1/posts' });
    expect(anonymous.requestContext.authorizer).toBeUndefined();
    const alice = httpEvent({ routeKey: 'GET /api/v1/posts', userId: 'alice' });
    expect(alice.requestContext.authorizer?.jwt.claims.sub).toBe('alice');
  });
});

describe('sqsEvent', () => {
  it('gives each record every field of the recorded SQS record', () => {
    const [real] = recording('sqs-event').Records as unknown as Record<string, unknown>[];
    const { Records } = sqsEvent(['{}', { body: '{}', attributes: { ApproximateReceiveCount: '3' } }]);
    for (const record of Records) {
      expect(keysOf(record)).toEqual(keysOf(real));
      expect(keysOf(record.attributes)).toEqual(keysOf(real?.attributes));
    }
    expect(Records.map((r) => [r.messageId, r.attributes.ApproximateReceiveCount])).toEqual([
      ['message-1', '1'],
      ['message-2', '3'],
    ]);
  });
});
