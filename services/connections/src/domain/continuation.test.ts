import { describe, expect, it } from 'vitest';
import {
  continuationMessageOf,
  continuationParts,
  InvalidContinuationError,
  MAX_CONTINUATION_BYTES,
  pageKeyOf,
  parseContinuation,
  type RetryBroadcast,
  retryDelaySeconds,
} from './continuation';
import { FRAME_DEADLINE_MS } from './delivery';

const retry: Omit<RetryBroadcast, 'connectionIds'> = {
  eventId: 'event-1',
  correlationId: 'corr-1',
  occurredAt: '2026-11-01T09:31:00.000Z',
  firstSeenAt: '2026-11-01T09:31:00.020Z',
  topic: 'feed',
  frame: JSON.stringify({
    type: 'comment.created',
    topic: 'feed',
    eventId: 'event-1',
    data: { body: 'x'.repeat(2000) },
  }),
  page: 3,
  round: 1,
};

const bytesOf = (part: RetryBroadcast) => Buffer.byteLength(JSON.stringify(continuationMessageOf(part)));

describe('continuations', () => {
  it('split the frames left into messages SQS takes, together exactly those connections in order', () => {
    // API Gateway's ids are 16 characters; these are longer, to need several messages.
    const connectionIds = Array.from({ length: 6000 }, (_, index) => `${'c'.repeat(60)}${index}=`);

    const parts = continuationParts(retry, connectionIds);

    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(bytesOf(part)).toBeLessThanOrEqual(MAX_CONTINUATION_BYTES);
      expect(part).toMatchObject({ ...retry, connectionIds: expect.any(Array) });
    }
    expect(bytesOf(parts[0] as RetryBroadcast)).toBeGreaterThan(MAX_CONTINUATION_BYTES - 100);
    expect(parts.flatMap((part) => part.connectionIds)).toEqual(connectionIds);
    expect(MAX_CONTINUATION_BYTES).toBeLessThan(256 * 1024);
  });

  it('keep a page of API Gateway ids in one message', () => {
    const connectionIds = Array.from(
      { length: 1000 },
      (_, index) => `L0SM9cOFvHcCI${String(index).padStart(3, '0')}=`,
    );
    expect(continuationParts(retry, connectionIds)).toEqual([{ ...retry, connectionIds }]);
  });

  it('name a retry by its event, topic, page, round and connections', () => {
    const key = pageKeyOf({ ...retry, connectionIds: ['a', 'b'] });
    expect(key).toMatch(/^event-1#feed#3#retry1#[0-9a-f]{16}$/);
    expect(pageKeyOf({ ...retry, connectionIds: ['b', 'a'] })).toBe(key);
    expect(pageKeyOf({ ...retry, connectionIds: ['a', 'c'] })).not.toBe(key);
    expect(pageKeyOf({ ...retry, round: 2, connectionIds: ['a', 'b'] })).not.toBe(key);
    // A page's key is as it was.
    expect(pageKeyOf({ ...retry, cursor: { topic: 'feed', connectionId: 'a' } })).toBe('event-1#feed#3');
  });

  it('read back what they carry, and take a page message of the previous version (no firstSeenAt)', () => {
    const part = { ...retry, connectionIds: ['a', 'b'] };
    const { pageKey, ...parsed } = parseContinuation(JSON.stringify(continuationMessageOf(part)));
    expect(parsed).toEqual(part);
    expect(pageKey).toBe(pageKeyOf(part));

    const previous = {
      pageKey: 'event-1#feed#1',
      eventId: 'event-1',
      correlationId: 'corr-1',
      occurredAt: '2026-11-01T09:31:00.000Z',
      topic: 'feed',
      frame: '{}',
      page: 1,
      cursor: { topic: 'feed', connectionId: 'a' },
    };
    expect(parseContinuation(JSON.stringify(previous))).toEqual({
      ...previous,
      firstSeenAt: previous.occurredAt,
    });
  });

  it('refuse a message that is neither a page nor a retry', () => {
    const { round: _round, ...noRound } = continuationMessageOf({ ...retry, connectionIds: ['a'] }) as Record<
      string,
      unknown
    >;
    expect(() => parseContinuation(JSON.stringify(noRound))).toThrow(InvalidContinuationError);
    expect(() =>
      parseContinuation(
        JSON.stringify({ ...continuationMessageOf({ ...retry, connectionIds: ['a'] }), connectionIds: [] }),
      ),
    ).toThrow(InvalidContinuationError);
  });

  it('wait 1 s, then twice as long each round up to a minute, and arrive before the deadline', () => {
    const now = Date.parse(retry.occurredAt);
    const deadline = now + FRAME_DEADLINE_MS;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((round) => retryDelaySeconds(round, now, deadline))).toEqual([
      1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]);
    expect(retryDelaySeconds(8, deadline - 10_500, deadline)).toBe(9);
    expect(retryDelaySeconds(1, deadline - 500, deadline)).toBe(0);
    expect(retryDelaySeconds(1, deadline + 5_000, deadline)).toBe(0);
  });
});
