import { lambdaContext, messageEvent } from '@live-comments/shared/testing';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionCloser, FrameSender, SubscriptionStore } from '../domain/ports';
import { fakeFrameBudgets } from '../testing/fakes';
import { buildMessageHandler } from './message';

const setup = () => {
  const subscribe = vi.fn<SubscriptionStore['subscribe']>(async () => 'subscribed');
  const unsubscribe = vi.fn<SubscriptionStore['unsubscribe']>(async () => undefined);
  const reply = vi.fn<FrameSender>(async () => 'delivered');
  const disconnect = vi.fn<ConnectionCloser>(async () => undefined);
  const budgets = fakeFrameBudgets();
  const spendFrame = vi.fn(budgets.spendFrame);
  const handler = buildMessageHandler({
    connections: { spendFrame },
    subscriptions: { subscribe, unsubscribe },
    frameLimit: { perSecond: 10, burst: 20, floodAfter: 5 },
    maxSubscriptions: 50,
    // One instant: no frame refills the budget of another.
    now: () => new Date('2026-01-01T00:05:00.000Z'),
    reply,
    disconnect,
  });
  /** Sends one frame and returns what the caller got back. */
  const send = async (body: string | undefined, connectionId = 'conn-1') => {
    reply.mockClear();
    const result = await handler(messageEvent(body, connectionId), lambdaContext());
    expect(result).toEqual({ statusCode: 200 });
    expect(reply).toHaveBeenCalledTimes(1);
    const [to, frame] = reply.mock.calls[0] ?? [];
    expect(to).toBe(connectionId);
    return JSON.parse(frame ?? 'null') as unknown;
  };
  return { subscribe, unsubscribe, disconnect, spendFrame, budgets, send };
};

const ping = (requestId: string) => JSON.stringify({ action: 'ping', requestId });

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
    expect(subscribe).toHaveBeenCalledWith(
      {
        topic: 'post:01JD8Z6K3Q',
        connectionId: 'conn-1',
        subscribedAt: '2026-01-01T00:05:00.000Z',
        expiresAt: 1_767_225_600 + 2 * 3600 + 300 + 3 * 3600,
      },
      50,
    );
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

  it('answers subscription_limit with the requestId when the connection holds its cap', async () => {
    const { subscribe, send } = setup();
    subscribe.mockResolvedValueOnce('limit_reached');

    const answer = await send(JSON.stringify({ action: 'subscribe', topic: 'feed', requestId: 'r7' }));

    expect(answer).toEqual({
      type: 'error',
      code: 'subscription_limit',
      message: expect.stringContaining('50'),
      requestId: 'r7',
    });
    expect(subscribe).toHaveBeenCalledWith(expect.objectContaining({ topic: 'feed' }), 50);
  });
});

describe('the frame budget of a connection', () => {
  it('acts on a burst, then refuses frames with rate_limited and their requestId, acting on none', async () => {
    const { subscribe, disconnect, send } = setup();
    for (let i = 0; i < 20; i++)
      expect(await send(ping(`p${i}`))).toEqual({ type: 'pong', requestId: `p${i}` });

    const refused = await send(JSON.stringify({ action: 'subscribe', topic: 'feed', requestId: 's1' }));

    expect(refused).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: expect.any(String),
      requestId: 's1',
    });
    expect(subscribe).not.toHaveBeenCalled();
    expect(disconnect).not.toHaveBeenCalled();
  });

  it('closes a connection that keeps flooding, after its last frame says why', async () => {
    const { disconnect, send } = setup();
    for (let i = 0; i < 25; i++) await send(ping(`p${i}`));
    expect(disconnect).not.toHaveBeenCalled();

    const last = await send(ping('p25'));

    expect(last).toEqual({ type: 'error', code: 'policy_violation', message: expect.any(String) });
    expect(disconnect).toHaveBeenCalledExactlyOnceWith('conn-1');
  });

  it('leaves a neighbouring connection alone', async () => {
    const { disconnect, send } = setup();
    for (let i = 0; i < 30; i++) await send(ping(`p${i}`), 'flooder');

    expect(await send(ping('n1'), 'neighbour')).toEqual({ type: 'pong', requestId: 'n1' });
    expect(disconnect).not.toHaveBeenCalledWith('neighbour');
  });

  it('counts frames at the time the gateway received them, however late a function runs them', async () => {
    const budgets = fakeFrameBudgets();
    const reply = vi.fn<FrameSender>(async () => 'delivered');
    const handler = buildMessageHandler({
      connections: budgets,
      subscriptions: { subscribe: vi.fn(), unsubscribe: vi.fn() },
      frameLimit: { perSecond: 10, burst: 20, floodAfter: 5 },
      maxSubscriptions: 50,
      // Every function runs at one and the same moment...
      now: () => new Date('2026-01-01T00:05:00.000Z'),
      reply,
      disconnect: vi.fn<ConnectionCloser>(),
    });

    // ...the 50 frames it runs were sent 100 ms apart: at the rate, every one is acted on.
    for (let i = 0; i < 50; i++) {
      const event = messageEvent(ping(`t${i}`), 'steady');
      event.requestContext.requestTimeEpoch = Date.parse('2026-01-01T00:00:00.000Z') + i * 100;
      await handler(event, lambdaContext());
    }

    const answers = reply.mock.calls.map(([, frame]) => JSON.parse(frame) as { type: string });
    expect(answers.map((answer) => answer.type)).toEqual(Array(50).fill('pong'));
  });

  it('counts unparseable frames too', async () => {
    const { spendFrame, send } = setup();

    await send('hello');

    // When the gateway received it (the recorded event's requestTimeEpoch), not when the function ran.
    expect(spendFrame).toHaveBeenCalledExactlyOnceWith(
      'conn-1',
      messageEvent('hello').requestContext.requestTimeEpoch,
      100,
    );
  });

  it('acts on the frame when the budget cannot be kept (its store failed, or the connection has no record)', async () => {
    const { spendFrame, budgets, send } = setup();
    spendFrame.mockRejectedValueOnce(new Error('throttled'));
    expect(await send(ping('a'))).toEqual({ type: 'pong', requestId: 'a' });

    budgets.forget('conn-1');
    for (let i = 0; i < 30; i++)
      expect(await send(ping(`b${i}`))).toEqual({ type: 'pong', requestId: `b${i}` });
  });
});
