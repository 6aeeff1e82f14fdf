import type { ClientFrame, Comment, Post, ServerFrame, SocketLike } from '@live-comments/client';

/**
 * Tests only: a WebSocket the test plays the server of, and an HTTP API over
 * a few stored comments and posts, for the provider's `options`.
 */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: ClientFrame[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closedByClient = false;

  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close() {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  /** The topics subscribed on this socket, one entry per subscribe frame. */
  subscribes() {
    return this.sent.flatMap((frame) => (frame.action === 'subscribe' ? [frame.topic] : []));
  }
  /** Acknowledges every subscribe sent so far, as the connections service does. */
  ackSubscribes(at = new Date().toISOString()) {
    for (const frame of this.sent) {
      if (frame.action === 'subscribe')
        this.frame({
          type: 'subscribed',
          topic: frame.topic,
          at,
          ...(frame.requestId ? { requestId: frame.requestId } : {}),
        });
    }
  }
}

export const comment = (seq: number, postId = 'p1'): Comment => ({
  id: `c${seq}`,
  postId,
  authorId: 'bob',
  body: `comment ${seq}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  seq,
});

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
