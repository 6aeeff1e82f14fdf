/**
 * A broadcast under the account's throttling (issue 13), end to end on the
 * local cloud: its account limit lowered to 50 requests a second (burst 25),
 * 40 subscribers of a post on real WebSockets, three comments at once. The
 * cold broadcaster starts at AWS's 10,000 a second, so `@connections`
 * answers 429 LimitExceededException; it slows down and every subscriber
 * still gets every frame, once.
 */
import { describe, expect, it } from 'vitest';
import { api, eventually, useLocalCloud } from './support/cloud';
import { copiesByEvent, subscribe } from './support/subscribers';
import { TestSocket } from './support/ws-client';

const ACCOUNT_RPS = 50;
const SUBSCRIBERS = 40;
const COMMENTS = 3;

const cloud = useLocalCloud({ limits: { accountRps: ACCOUNT_RPS, accountBurst: ACCOUNT_RPS / 2 } });
const { request, token, createPost } = api(cloud);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a broadcast throttled by the account limit', () => {
  it('answers 429 to the broadcaster and still delivers every frame to every subscriber exactly once', async () => {
    const author = await token('throttled-author');
    const post = await createPost(author, 'throttled', 'many watchers');
    const topic = `post:${post.id}`;

    const sockets = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, () => TestSocket.open(cloud().urls.websocket)),
    );
    // A subscribe costs the account two requests (the message and its reply): 16 a second stay within 50.
    for (const socket of sockets) {
      await subscribe(socket, topic);
      await sleep(60);
    }
    await sleep(1_000); // the bucket full again

    cloud().resetMetrics();
    const commenter = await token('throttled-commenter');
    const commentIds = await Promise.all(
      Array.from({ length: COMMENTS }, (_, index) =>
        eventually(async () => {
          const response = await request<{ id: string }>('POST', `/api/v1/posts/${post.id}/comments`, {
            token: commenter,
            body: { body: `throttled comment ${index + 1}` },
          });
          return response.status === 201 ? response.body.id : undefined;
        }),
      ),
    );

    await eventually(
      async () =>
        sockets.every((socket) => copiesByEvent(socket.frames, topic).size === COMMENTS) || undefined,
      30_000,
    );
    await sleep(1_500); // a frame sent twice would arrive by now

    const { webSocket } = cloud().metrics();
    expect(webSocket.throttledConnectionsCalls).toBeGreaterThan(0);
    for (const socket of sockets) socket.close();
    for (const socket of sockets) {
      const copies = copiesByEvent(socket.frames, topic);
      expect([...copies.values()]).toEqual(Array(COMMENTS).fill(1));
      const received = socket.frames.filter((frame) => frame.type === 'comment.created');
      expect(new Set(received.map((frame) => (frame.data as { id: string }).id))).toEqual(
        new Set(commentIds),
      );
    }
    // The broadcaster's own account of it (its log lines are kept unless LC_TEST_LOGS prints them).
    if (process.env.LC_TEST_LOGS) return;
    const pages = cloud.logs.filter(
      (entry) => entry.json?.message === 'Broadcast page sent' && entry.json.topic === topic,
    );
    const sum = (field: string) =>
      pages.reduce((total, entry) => total + Number(entry.json?.[field] ?? 0), 0);
    expect(sum('delivered')).toBe(SUBSCRIBERS * COMMENTS);
    expect(sum('throttled')).toBeGreaterThan(0);
    expect(sum('abandoned')).toBe(0);
  });
});
