import type { Comment, Post, ServerFrame } from '@live-comments/client';
import { comment, FakeSocket } from '@live-comments/client/testing';

/**
 * Tests only: the client's fake WebSocket (the test plays the server), and an
 * HTTP API over a few stored comments and posts, for the provider's `options`.
 */

/** The topics subscribed on a socket, one entry per subscribe frame. */
export const subscribedTopics = (socket: FakeSocket) =>
  socket.sent.flatMap((frame) => (frame.action === 'subscribe' ? [frame.topic] : []));

/** Acknowledges every subscribe sent so far, with the server's time (the deletions' watermark). */
export const acknowledge = (socket: FakeSocket) => socket.ackSubscribes(new Date().toISOString());

export { comment };

export const createdFrame = (c: Comment, topic = `post:${c.postId}`): ServerFrame => ({
  type: 'comment.created',
  topic: topic as `post:${string}`,
  eventId: `e-${topic}-${c.seq}`,
  data: c,
});

export const post = (id: string): Post => ({
  id,
  authorId: 'alice',
  title: `Post ${id}`,
  body: 'Body',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  commentCount: 0,
  favoriteCount: 0,
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The server side of a test: sockets opened, comments stored per post, posts, and every read made. */
export const fakeServer = () => {
  const sockets: FakeSocket[] = [];
  const stored = new Map<string, Comment[]>();
  const posts = new Map<string, Post>();
  const reads: string[] = [];
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    reads.push(`${url.pathname}${url.search}`);
    const deleted = /^\/api\/v1\/posts\/([^/]+)\/comments\/deleted$/.exec(url.pathname);
    if (deleted) return json({ items: [], nextCursor: null });
    const comments = /^\/api\/v1\/posts\/([^/]+)\/comments$/.exec(url.pathname);
    if (comments) {
      const afterSeq = Number(url.searchParams.get('afterSeq') ?? 0);
      const items = (stored.get(comments[1] ?? '') ?? []).filter((c) => c.seq > afterSeq);
      return json({ items, nextCursor: null });
    }
    const one = /^\/api\/v1\/posts\/([^/]+)$/.exec(url.pathname);
    const found = one && posts.get(decodeURIComponent(one[1] ?? ''));
    if (found) return json(found);
    return json({ error: { code: 'not_found', message: 'No such post' } }, 404);
  };
  return {
    sockets,
    stored,
    posts,
    reads,
    /** The socket opened last. */
    socket: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket opened yet');
      return socket;
    },
    options: {
      socket: (url: string) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      fetch: fetch as typeof globalThis.fetch,
      random: () => 1,
      reconnect: { initialDelayMs: 5 },
      gapWaitMs: 20,
    },
  };
};
