import { describe, expect, it } from 'vitest';
import { type CloseInfo, createLiveComments, type SocketLike } from '../../client/src/index';
import { api, eventually, subscribersOf, useLocalCloud } from './support/cloud';
import { type Frame, TestSocket } from './support/ws-client';

/**
 * The per-connection limits of the WebSocket API on the local cloud, with the
 * stage's parameters (services/connections/serverless.yml): 10 frames a
 * second, 60 at once, closed 40 refused frames below empty; 50 subscriptions.
 */
const cloud = useLocalCloud();
const { request, token } = api(cloud);

const MAX_SUBSCRIPTIONS = 50;

const newPost = async (author: string) => {
  const response = await request<{ id: string }>('POST', '/api/v1/posts', {
    token: await token(author),
    body: { title: 'Limits', body: 'Flood me' },
  });
  return response.body.id;
};

const comment = async (postId: string, author: string, body: string) => {
  const auth = await token(author);
  return eventually(async () => {
    const response = await request<{ id: string }>('POST', `/api/v1/posts/${postId}/comments`, {
      token: auth,
      body: { body },
    });
    return response.status === 201 ? response.body : undefined;
  });
};

/** Resolves once the socket is closed, with its code and reason. */
const closeOf = (socket: TestSocket) => eventually(async () => socket.closed, 60_000);

/**
 * One frame and its answer. Generous wait: the local cloud runs at most 4
 * environments of a function and queues the rest, so a burst of frames is
 * answered one environment's work at a time (AWS would scale out).
 */
let requests = 0;
const ask = (socket: TestSocket, frame: Record<string, unknown>) => {
  const requestId = `q${++requests}`;
  socket.send({ ...frame, requestId });
  return socket.next((answer) => answer.requestId === requestId, 60_000);
};

const ofCode = (frames: readonly Frame[], code: string) =>
  frames.filter((frame) => frame.type === 'error' && frame.code === code);

describe('WebSocket limits per connection', () => {
  it('refuses a flooding connection’s frames with rate_limited, then closes it, while a neighbour is served', async () => {
    const postId = await newPost('alice');
    const neighbour = await TestSocket.open(cloud().urls.websocket);
    expect(await ask(neighbour, { action: 'subscribe', topic: `post:${postId}` })).toMatchObject({
      type: 'subscribed',
    });
    // Warm the message function's environments first: on a busy machine a cold start past
    // Lambda's 10 s init timeout answers the gateway's own `Internal server error` frame.
    await Promise.allSettled(Array.from({ length: 8 }, () => ask(neighbour, { action: 'ping' })));
    const flooder = await TestSocket.open(cloud().urls.websocket);

    // 200 frames at once: the burst (60), the refused frames until it counts as flooding (40),
    // and more (a flooding socket sends 600 a second).
    for (let i = 0; i < 200; i++) flooder.send({ action: 'ping', requestId: `f${i}` });

    const last = await flooder.next((frame) => frame.code === 'policy_violation', 60_000);
    expect(last).toEqual({ type: 'error', code: 'policy_violation', message: expect.any(String) });
    // API Gateway closes a connection the backend deletes with 1000 (and so does the local
    // cloud): the policy_violation frame is the signal, the typed client reports it as 1008.
    expect(await closeOf(flooder)).toEqual({ code: 1000, reason: '' });
    const limited = ofCode(flooder.frames, 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ requestId: expect.stringMatching(/^f\d+$/) });
    // Acted on (pong) within the budget, refused beyond it, and no other answer of the service
    // (the gateway's own frames, which have no type, are no answer of it).
    const pongs = flooder.frames.filter((frame) => frame.type === 'pong');
    expect(pongs.length).toBeGreaterThanOrEqual(60);
    expect(pongs.length).toBeLessThan(200);
    expect(
      flooder.frames.filter(
        (frame) =>
          frame.type !== undefined &&
          frame.type !== 'pong' &&
          frame.code !== 'rate_limited' &&
          frame.code !== 'policy_violation',
      ),
    ).toEqual([]);

    // The neighbour: every ping answered, and the comment broadcast reaches it.
    for (let i = 0; i < 5; i++) {
      expect(await ask(neighbour, { action: 'ping' })).toMatchObject({ type: 'pong' });
    }
    const created = await comment(postId, 'bob', 'still here');
    expect(
      await neighbour.next(
        (frame) => frame.type === 'comment.created' && (frame.data as { id: string }).id === created.id,
      ),
    ).toMatchObject({ topic: `post:${postId}` });
    expect(neighbour.closed).toBeUndefined();
    neighbour.close();
  }, 240_000);

  it(`acknowledges ${MAX_SUBSCRIPTIONS} subscriptions and refuses the next with subscription_limit, storing nothing`, async () => {
    const socket = await TestSocket.open(cloud().urls.websocket);
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) {
      expect(await ask(socket, { action: 'subscribe', topic: `post:cap${i}` })).toMatchObject({
        type: 'subscribed',
      });
    }

    const refused = await ask(socket, { action: 'subscribe', topic: 'post:one-too-many' });

    expect(refused).toMatchObject({
      type: 'error',
      code: 'subscription_limit',
      requestId: expect.any(String),
    });
    expect(await subscribersOf(cloud().urls.edge, 'post:one-too-many')).toEqual([]);
    // Subscribing a topic it holds again is acknowledged and counts once; unsubscribing frees a place.
    expect(await ask(socket, { action: 'subscribe', topic: 'post:cap0' })).toMatchObject({
      type: 'subscribed',
    });
    expect(await ask(socket, { action: 'unsubscribe', topic: 'post:cap1' })).toMatchObject({
      type: 'unsubscribed',
    });
    expect(await ask(socket, { action: 'subscribe', topic: 'post:one-too-many' })).toMatchObject({
      type: 'subscribed',
    });
    socket.close();
  });

  it('acknowledges exactly 50 of 60 concurrent subscribes', async () => {
    const socket = await TestSocket.open(cloud().urls.websocket);

    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ask(socket, { action: 'subscribe', topic: `post:race${i}` })),
    );

    expect(answers.filter((answer) => answer.type === 'subscribed')).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(ofCode(answers, 'subscription_limit')).toHaveLength(60 - MAX_SUBSCRIPTIONS);
    const stored = await Promise.all(
      Array.from({ length: 60 }, (_, i) => subscribersOf(cloud().urls.edge, `post:race${i}`)),
    );
    expect(stored.filter((subscribers) => subscribers.length > 0)).toHaveLength(MAX_SUBSCRIPTIONS);
    socket.close();
  });

  it('has the typed client report the flood close as 1008 with the reason (its wait before reconnecting: client/src/live.test.ts)', async () => {
    const sockets: SocketLike[] = [];
    const closes: CloseInfo[] = [];
    const live = createLiveComments({
      websocketUrl: cloud().urls.websocket,
      apiUrl: cloud().urls.http,
      socket: (url) => {
        const socket = new WebSocket(url) as unknown as SocketLike;
        sockets.push(socket);
        return socket;
      },
    });
    try {
      live.onClose((close) => closes.push(close));
      await eventually(async () => (live.state === 'open' ? true : undefined), 30_000);
      // A misbehaving app floods through the client's own socket.
      for (let i = 0; i < 200; i++) sockets[0]?.send(JSON.stringify({ action: 'ping', requestId: `x${i}` }));

      const [close] = await eventually(async () => (closes.length > 0 ? closes : undefined), 90_000);

      expect(close).toEqual({ code: 1008, reason: expect.stringMatching(/too many frames/i) });
      expect(live.state).toBe('reconnecting');
    } finally {
      live.close();
    }
  }, 240_000);
});
