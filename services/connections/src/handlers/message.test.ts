import { lambdaContext, messageEvent } from '@live-comments/shared/testing';
import { describe, expect, it, vi } from 'vitest';
import type { FrameSender, SubscriptionStore } from '../domain/ports';
import { buildMessageHandler } from './message';

const setup = () => {
  const subscribe = vi.fn<SubscriptionStore['subscribe']>(async () => undefined);
  const unsubscribe = vi.fn<SubscriptionStore['unsubscribe']>(async () => undefined);
  const reply = vi.fn<FrameSender>(async () => 'delivered');
  const handler = buildMessageHandler({
    subscriptions: { subscribe, unsubscribe },
    now: () => new Date('2026-01-01T00:05:00.000Z'),
    reply,
  });
  /** Sends one frame and returns what the caller got back. */
  const send = async (body: string | undefined) => {
    const result = await handler(messageEvent(body, 'conn-1'), lambdaContext());
    expect(result).toEqual({ statusCode: 200 });
    expect(reply).toHaveBeenCalledTimes(1);
    const [connectionId, frame] = reply.mock.calls[0] ?? [];
    expect(connectionId).toBe('conn-1');
    return JSON.parse(frame ?? 'null') as unknown;
  };
  return { subscribe, unsubscribe, send };
};

describe('client frames', () => {
  it('subscribes to a post and echoes the requestId', async () => {
    const { subscribe, send } = setup();

    const answer = await send(
      JSON.stringify({ action: 'subscribe', topic: 'post:01JD8Z6K3Q', requestId: 'r1' }),
    );

    expect(answer).toEqual({
      type: 'subscribed',
      topic: 'post:01JD8Z6K3Q',
      at: '2026-01-01T00:05:00.000Z',
      requestId: 'r1',
    });
    expect(subscribe).toHaveBeenCalledWith({
      topic: 'post:01JD8Z6K3Q',
      connectionId: 'conn-1',
      subscribedAt: '2026-01-01T00:05:00.000Z',
      expiresAt: 1_767_225_600 + 2 * 3600 + 300 + 3 * 3600,
    });
  });

  it('subscribes to the feed without a requestId and adds none to the reply', async () => {
    const { send } = setup();

    expect(await send(JSON.stringify({ action: 'subscribe', topic: 'feed' }))).toEqual({
      type: 'subscribed',
      topic: 'feed',
      at: '2026-01-01T00:05:00.000Z',
    });
  });

  it('unsubscribes and echoes the requestId', async () => {
    const { unsubscribe, send } = setup();

    const answer = await send(JSON.stringify({ action: 'unsubscribe', topic: 'feed', requestId: 'r2' }));

    expect(answer).toEqual({ type: 'unsubscribed', topic: 'feed', requestId: 'r2' });
    expect(unsubscribe).toHaveBeenCalledWith('feed', 'conn-1');
  });

  it('answers ping with pong and the requestId', async () => {
    expect(await setup().send(JSON.stringify({ action: 'ping', requestId: 'r3' }))).toEqual({
      type: 'pong',
      requestId: 'r3',
    });
  });

  it.each([
    ['an unknown shape', 'comments:1'],
    ['a post id with a slash', 'post:a/b'],
    ['an empty post id', 'post:'],
    ['a post id longer than 64 characters', `post:${'x'.repeat(65)}`],
    ['no topic', undefined],
  ])('refuses %s as topic with invalid_topic and the requestId', async (_case, topic) => {
    const { subscribe, send } = setup();

    const answer = await send(JSON.stringify({ action: 'subscribe', topic, requestId: 'r4' }));

    expect(answer).toEqual({
      type: 'error',
      code: 'invalid_topic',
      message: expect.any(String),
      requestId: 'r4',
    });
    expect(subscribe).not.toHaveBeenCalled();
  });

  it('answers an unknown action ($default) with unknown_action and the requestId', async () => {
    expect(await setup().send(JSON.stringify({ action: 'shout', requestId: 'r5' }))).toEqual({
      type: 'error',
      code: 'unknown_action',
      message: expect.any(String),
      requestId: 'r5',
    });
  });

  it.each([
    ['text that is not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['a binary frame', undefined],
  ])('answers %s with invalid_frame', async (_case, body) => {
    expect(await setup().send(body)).toEqual({
      type: 'error',
      code: 'invalid_frame',
      message: expect.any(String),
    });
  });

  it('answers a requestId that is not a string with invalid_frame', async () => {
    const answer = await setup().send(JSON.stringify({ action: 'ping', requestId: 7 }));

    expect(answer).toEqual({ type: 'error', code: 'invalid_frame', message: expect.any(String) });
  });

  it('answers internal_error with the requestId when the store fails', async () => {
    const { subscribe, send } = setup();
    subscribe.mockRejectedValueOnce(new Error('throttled'));

    expect(await send(JSON.stringify({ action: 'subscribe', topic: 'feed', requestId: 'r6' }))).toEqual({
      type: 'error',
      code: 'internal_error',
      message: expect.any(String),
      requestId: 'r6',
    });
  });
});
