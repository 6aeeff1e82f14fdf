import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CloseInfo,
  type ConnectionState,
  createLiveComments,
  type LiveCommentsOptions,
  SubscriptionError,
} from './live';
import { comment, FakeSocket } from './testing';
import type { Comment, CommentDeleted, ServerFrame, Topic } from './types';

const created = (c: Comment, topic: Topic = `post:${c.postId}`): ServerFrame => ({
  type: 'comment.created',
  topic,
  eventId: `e${c.postId}-${c.seq}`,
  data: c,
});

const deletion = (seq: number, deletedAt: string, postId = 'p1'): CommentDeleted => ({
  id: `c${seq}`,
  postId,
  authorId: 'bob',
  seq,
  deletedAt,
});
const deletedFrame = (d: CommentDeleted, eventId = `d-${d.id}`): ServerFrame => ({
  type: 'comment.deleted',
  topic: `post:${d.postId}`,
  eventId,
  data: d,
});
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

const setup = (
  options: {
    stored?: number[];
    token?: LiveCommentsOptions['token'];
    tokenRefresh?: LiveCommentsOptions['tokenRefresh'];
  } = {},
) => {
  const sockets: FakeSocket[] = [];
  const stored = new Set(options.stored ?? []);
  /** The deleted-comments list, served two to a page to show the client pages through it. */
  const deletions: CommentDeleted[] = [];
  const reads: string[] = [];
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(String(input));
    reads.push(`${url.pathname}${url.search}`);
    if (url.pathname.endsWith('/comments/deleted')) {
      const since = url.searchParams.get('since') ?? '';
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const after = deletions.filter((d) => d.deletedAt > since);
      const next = from + 2 < after.length ? String(from + 2) : null;
      return json({ items: after.slice(from, from + 2), nextCursor: next });
    }
    const afterSeq = Number(url.searchParams.get('afterSeq') ?? 0);
    const items = [...stored]
      .filter((seq) => seq > afterSeq)
      .sort((a, b) => a - b)
      .map((seq) => comment(seq));
    return new Response(JSON.stringify({ items, nextCursor: null }), {
      headers: { 'content-type': 'application/json' },
    });
  });
  const states: ConnectionState[] = [];
  const live = createLiveComments({
    websocketUrl: 'ws://localhost:3001',
    apiUrl: 'http://localhost:8000',
    ...(options.token ? { token: options.token } : {}),
    ...(options.tokenRefresh ? { tokenRefresh: options.tokenRefresh } : {}),
    socket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    fetch: fetch as typeof globalThis.fetch,
    random: () => 1,
    gapWaitMs: 1_000,
  });
  live.onStateChange((state) => states.push(state));
  const current = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  return { live, sockets, current, stored, deletions, reads, states };
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createLiveComments', () => {
  it('reads the history at once, subscribes with the token, and reads again what came before the subscription held', async () => {
    const { live, current, reads, states, stored } = setup({ stored: [1, 2], token: () => 'jwt.a b' });
    const seen: number[] = [];
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    // Shown before the connection is even open (a cold subscribe function can take seconds).
    expect(reads).toEqual(['/api/v1/posts/p1/comments?afterSeq=0&limit=100']);
    expect(seen).toEqual([1, 2]);
    expect(current().url).toBe('ws://localhost:3001?token=jwt.a%20b');
    current().open();
    expect(states).toEqual(['open']);
    expect(current().sent).toEqual([{ action: 'subscribe', topic: 'post:p1', requestId: 'r1' }]);
    stored.add(3); // made before the subscription was in place: no frame will come for it
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads.at(-1)).toBe('/api/v1/posts/p1/comments?afterSeq=2&limit=100');
    expect(seen).toEqual([1, 2, 3]);
    current().frame(created(comment(4)));
    current().frame(created(comment(4)));
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('after a drop, reconnects with a fresh token, subscribes again and catches up on what it missed', async () => {
    let token = 'first';
    const { live, current, sockets, stored, reads, states } = setup({ stored: [1], token: () => token });
    const seen: number[] = [];
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);

    current().drop();
    expect(states.at(-1)).toBe('reconnecting');
    stored.add(2);
    stored.add(3); // published while nobody was connected
    token = 'second';
    await vi.advanceTimersByTimeAsync(500); // first retry: at most 500 ms (random() = 1)
    expect(sockets).toHaveLength(2);
    expect(current().url).toBe('ws://localhost:3001?token=second');
    current().open();
    current().frame(created(comment(4))); // a live frame before the catch-up read
    stored.add(4);
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads.at(-1)).toBe('/api/v1/posts/p1/comments?afterSeq=1&limit=100');
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(states.at(-1)).toBe('open');
  });

  it('backs off exponentially while connections keep failing, and afresh after a stable one', async () => {
    const { live, current, sockets } = setup();
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().drop(); // refused: never opened
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    current().drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    current().open();
    await vi.advanceTimersByTimeAsync(60_000); // stable for a minute
    current().drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets).toHaveLength(4);
  });

  it('makes no attempt while the browser says it is offline, and reconnects on its `online` event', async () => {
    const network = { onLine: true };
    const listeners = new Map<string, () => void>();
    vi.stubGlobal('navigator', network);
    // Node's globalThis is no EventTarget; a browser's window is.
    vi.stubGlobal('addEventListener', (type: string, listener: () => void) => listeners.set(type, listener));
    vi.stubGlobal('removeEventListener', (type: string) => listeners.delete(type));
    try {
      const { live, current, sockets, states } = setup();
      live.watchFeed({ onComment: () => {} });
      await vi.advanceTimersByTimeAsync(0);
      current().open();
      network.onLine = false;
      current().drop();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(sockets).toHaveLength(1);
      expect(states.at(-1)).toBe('reconnecting');
      network.onLine = true;
      listeners.get('online')?.();
      await vi.advanceTimersByTimeAsync(0);
      expect(sockets).toHaveLength(2);
      live.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('caps the backoff', async () => {
    const { live, current, sockets } = setup();
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 10; i++) {
      current().drop();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(sockets).toHaveLength(11);
  });

  it('pings on the heartbeat and replaces a connection that does not answer', async () => {
    const { current, sockets, live } = setup();
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(current().sent.at(-1)).toMatchObject({ action: 'ping' });
    current().frame({ type: 'pong', requestId: 'r2' });
    await vi.advanceTimersByTimeAsync(300_000); // second ping, never answered
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[0]?.closedByClient).toBe(true);
    expect(live.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets).toHaveLength(2);
  });

  it('reports a policy close with 1008 and the reason, and waits before reconnecting', async () => {
    const { live, current, sockets } = setup();
    const closes: unknown[] = [];
    live.onClose((close) => closes.push(close));
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    await vi.advanceTimersByTimeAsync(60_000); // stable for a minute: a plain drop would retry at once

    current().frame({ type: 'error', code: 'policy_violation', message: 'Too many frames.' });
    current().drop(); // API Gateway's close after DeleteConnection

    expect(closes).toEqual([{ code: 1008, reason: 'Too many frames.' }]);
    expect(live.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(59_999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    // The next close is an ordinary one again.
    current().open();
    current().drop();
    expect(closes.at(-1)).toEqual({ code: 1006, reason: '' });
  });

  it('subscribes again after a rate_limited refusal, not after other refusals', async () => {
    const { live, current } = setup();
    const errors: SubscriptionError[] = [];
    live.watchFeed({ onComment: () => {}, onError: (error) => errors.push(error as SubscriptionError) });
    live.watchPost('p2', {
      onComment: () => {},
      onError: (error) => errors.push(error as SubscriptionError),
    });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    const [feed, post] = current().sent;
    current().frame({
      type: 'error',
      code: 'rate_limited',
      message: 'Too many frames.',
      requestId: String(feed?.requestId),
    });
    current().frame({
      type: 'error',
      code: 'subscription_limit',
      message: 'Full.',
      requestId: String(post?.requestId),
    });
    expect(errors.map((error) => error.code)).toEqual(['rate_limited', 'subscription_limit']);

    await vi.advanceTimersByTimeAsync(2_000);

    const subscribes = current().sent.filter((frame) => frame.action === 'subscribe');
    expect(subscribes.map((frame) => (frame.action === 'subscribe' ? frame.topic : ''))).toEqual([
      'feed',
      'post:p2',
      'feed',
    ]);
  });

  it('reports a refused subscription with its code', async () => {
    const { live, current } = setup();
    const errors: unknown[] = [];
    live.watchPost('bad id', { onComment: () => {}, onError: (error) => errors.push(error) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().frame({ type: 'error', code: 'invalid_topic', message: 'Unknown topic.', requestId: 'r1' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SubscriptionError);
    expect(errors[0]).toMatchObject({ code: 'invalid_topic', topic: 'post:bad id' });
  });

  it('shares one subscription between watches of a topic and unsubscribes after the last', async () => {
    const { live, current } = setup({ stored: [1] });
    const first: number[] = [];
    const second: number[] = [];
    const a = live.watchPost('p1', { onComment: (c) => first.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);
    const b = live.watchPost('p1', { onComment: (c) => second.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    expect(current().sent.filter((f) => f.action === 'subscribe')).toHaveLength(1);
    expect(second).toEqual([1]); // its own history read
    a.close();
    current().frame(created(comment(2)));
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2]);
    expect(current().sent.some((f) => f.action === 'unsubscribe')).toBe(false);
    b.close();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(current().sent.some((f) => f.action === 'unsubscribe')).toBe(false); // lingers a while
    await vi.advanceTimersByTimeAsync(1);
    expect(current().sent.at(-1)).toMatchObject({ action: 'unsubscribe', topic: 'post:p1' });
  });

  it('keeps the subscription when a topic is watched again within the linger, and catches up the new watch', async () => {
    const { live, current, stored } = setup({ stored: [1] });
    const first = live.watchPost('p1', { onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes();
    first.close();
    await vi.advanceTimersByTimeAsync(1_000);
    const seen: number[] = [];
    stored.add(2);
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq) });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(current().sent.map((f) => f.action)).toEqual(['subscribe']);
    expect(seen).toEqual([1, 2]);
  });

  /** The feed watched, subscribed, and left past the 2 s linger: its unsubscribe has gone out. */
  const feedWatchedThenLeft = async () => {
    const suite = setup();
    const first = suite.live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    suite.current().open();
    suite.current().ackSubscribes();
    first.close();
    await vi.advanceTimersByTimeAsync(2_000);
    return suite;
  };

  it('subscribes a topic watched again only after its unsubscribe is answered (API Gateway may reorder frames)', async () => {
    const { live, current } = await feedWatchedThenLeft();
    expect(current().sent.at(-1)).toMatchObject({ action: 'unsubscribe', topic: 'feed', requestId: 'r2' });
    const feed: string[] = [];
    live.watchFeed({ onComment: (c) => feed.push(c.id) });
    expect(current().sent).toHaveLength(2); // not yet
    current().frame({ type: 'unsubscribed', topic: 'feed', requestId: 'r2' });
    expect(current().sent.at(-1)).toMatchObject({ action: 'subscribe', topic: 'feed', requestId: 'r3' });
    current().frame({ type: 'subscribed', topic: 'feed', requestId: 'r3' });
    current().frame(created(comment(7, 'p2'), 'feed'));
    expect(feed).toEqual(['c7']);
  });

  it('subscribes again anyway when an unsubscribe is never answered', async () => {
    const { live, current } = await feedWatchedThenLeft();
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(current().sent.map((f) => f.action)).toEqual(['subscribe', 'unsubscribe']);
    await vi.advanceTimersByTimeAsync(1);
    expect(current().sent.map((f) => f.action)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
  });

  it('passes feed comments once per event id, and deletions to the post watch', async () => {
    const { live, current } = setup();
    const feed: string[] = [];
    const deleted: string[] = [];
    live.watchFeed({ onComment: (c) => feed.push(c.id) });
    live.watchPost('p1', { onComment: () => {}, onDeleted: (d) => deleted.push(d.id) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().frame(created(comment(1, 'p9'), 'feed'));
    current().frame(created(comment(1, 'p9'), 'feed'));
    current().frame(created(comment(2, 'p8'), 'feed'));
    const deletion: ServerFrame = {
      type: 'comment.deleted',
      topic: 'post:p1',
      eventId: 'd1',
      data: { id: 'c1', postId: 'p1', authorId: 'bob', seq: 1, deletedAt: '2026-01-01T00:00:09.000Z' },
    };
    current().frame(deletion);
    current().frame(deletion);
    expect(feed).toEqual(['c1', 'c2']);
    expect(deleted).toEqual(['c1']);
  });

  it('after a reconnect, reports what was deleted meanwhile, read from the previous `at`, each deletion once', async () => {
    const { live, current, stored, deletions, reads } = setup({ stored: [1, 2, 3] });
    const seen: number[] = [];
    const deleted: string[] = [];
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq), onDeleted: (d) => deleted.push(d.id) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes('2026-03-01T12:00:00.000Z');
    await vi.advanceTimersByTimeAsync(0);
    expect(reads.at(-1)).toBe(
      '/api/v1/posts/p1/comments/deleted?since=2026-03-01T11%3A59%3A50.000Z&limit=100',
    );
    const live1 = deletion(1, '2026-03-01T12:01:00.000Z');
    current().frame(deletedFrame(live1));
    deletions.push(live1);

    current().drop();
    for (const seq of [2, 3]) {
      stored.delete(seq);
      deletions.push(deletion(seq, `2026-03-01T12:0${seq}:00.000Z`)); // while the page was away
    }
    await vi.advanceTimersByTimeAsync(500);
    current().open();
    current().ackSubscribes('2026-03-01T12:10:00.000Z');
    await vi.advanceTimersByTimeAsync(0);

    const deletionReads = reads.filter((read) => read.includes('/deleted?'));
    expect(deletionReads.slice(1)).toEqual([
      '/api/v1/posts/p1/comments/deleted?since=2026-03-01T11%3A59%3A50.000Z&limit=100',
      '/api/v1/posts/p1/comments/deleted?since=2026-03-01T11%3A59%3A50.000Z&limit=100&cursor=2',
    ]);
    expect(seen).toEqual([1, 2, 3]);
    expect(deleted).toEqual(['c1', 'c2', 'c3']);
  });

  it('gives every watch of a topic the `at` of its subscription, one joining later included', async () => {
    const { live, current, deletions, reads } = setup();
    deletions.push(deletion(1, '2026-03-01T11:59:55.000Z'));
    const first: string[] = [];
    const second: string[] = [];
    live.watchPost('p1', { onComment: () => {}, onDeleted: (d) => first.push(d.id) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes('2026-03-01T12:00:00.000Z');
    await vi.advanceTimersByTimeAsync(0);
    live.watchPost('p1', { onComment: () => {}, onDeleted: (d) => second.push(d.id) });
    await vi.advanceTimersByTimeAsync(0);

    expect(reads.filter((read) => read.includes('/deleted?'))).toEqual([
      '/api/v1/posts/p1/comments/deleted?since=2026-03-01T11%3A59%3A50.000Z&limit=100',
      '/api/v1/posts/p1/comments/deleted?since=2026-03-01T11%3A59%3A50.000Z&limit=100',
    ]);
    expect([first, second]).toEqual([['c1'], ['c1']]);
  });

  it('ignores frames that are not JSON or of a type it does not know', async () => {
    const { live, current } = setup();
    const feed: string[] = [];
    live.watchFeed({ onComment: (c) => feed.push(c.id) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().frame('not json');
    current().frame(JSON.stringify({ type: 'post.created', topic: 'feed', data: {} }));
    current().frame(created(comment(1), 'feed'));
    expect(feed).toEqual(['c1']);
  });

  it('stops for good on close', async () => {
    const { live, current, sockets, states } = setup();
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    live.close();
    expect(current().closedByClient).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sockets).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });

  it('reconnect() opens a new connection at once (a new token after sign-in)', async () => {
    let token: string | undefined;
    const { live, current, sockets } = setup({ token: () => token });
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    token = 'signed-in';
    live.reconnect();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0]?.closedByClient).toBe(true);
    expect(current().url).toBe('ws://localhost:3001?token=signed-in');
    current().open();
    expect(current().sent).toEqual([{ action: 'subscribe', topic: 'feed', requestId: 'r2' }]);
  });
});

/** A JWT-shaped token (the client reads its payload, never its signature) issued now, living `seconds`. */
const jwt = (name: string, seconds: number, issuedAt = Date.now()) => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(issuedAt / 1000);
  return `${part({ alg: 'RS256' })}.${part({ sub: name, iat, exp: iat + seconds })}.signature`;
};

describe('a connection does not outlive its token', () => {
  // On a whole second, as a token's iat and exp are.
  beforeEach(() => vi.setSystemTime(Date.UTC(2026, 0, 1)));

  it('before the token expires, opens a second connection with a fresh one and closes the first once it is subscribed', async () => {
    const tokens: string[] = [];
    // An async callback: a Cognito refresh may run before the token is handed over.
    const token = async () => {
      tokens.push(jwt(`t${tokens.length + 1}`, 100));
      return tokens.at(-1);
    };
    const { live, sockets, stored, reads, states } = setup({ stored: [1], token });
    const seen: number[] = [];
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    const [first] = sockets;
    first?.open();
    first?.ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);

    // 100 s of lifetime: refreshed 10 s (10%, less than 60 s) before its exp.
    await vi.advanceTimersByTimeAsync(89_999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    const second = sockets[1];
    expect(second?.url).toBe(`ws://localhost:3001?token=${encodeURIComponent(tokens[1] ?? '')}`);
    first?.frame(created(comment(2))); // the first still carries the stream
    second?.open();
    expect(second?.sent).toEqual([{ action: 'subscribe', topic: 'post:p1', requestId: 'r2' }]);
    first?.frame(created(comment(3))); // a comment on both connections while the second is confirmed
    second?.frame(created(comment(3)));
    expect(first?.closedByClient).toBe(false);
    stored.add(2);
    stored.add(3);
    stored.add(4); // made between the two subscriptions: the catch-up read brings it
    second?.ackSubscribes('2026-01-01T00:01:40.000Z');
    expect(first?.closedByClient).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toContain('/api/v1/posts/p1/comments?afterSeq=3&limit=100');
    second?.frame(created(comment(5)));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(states).toEqual(['open']); // never seen as reconnecting
    expect(live.lastClose).toBeUndefined();

    // And again for the second token.
    await vi.advanceTimersByTimeAsync(90_000);
    expect(sockets).toHaveLength(3);
    live.close();
  });

  it('keeps the first connection when the second does not get ready, and tries again', async () => {
    let issued = 0;
    const { live, sockets, current } = setup({ token: () => jwt(`t${++issued}`, 100) });
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(90_000);
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop(); // refused
    expect(sockets[0]?.closedByClient).toBe(false);
    await vi.advanceTimersByTimeAsync(2_500); // a quarter of what is left, at most 5 s
    expect(sockets).toHaveLength(3);
    sockets[2]?.open(); // never answers the subscribe: given up after 10 s
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[2]?.closedByClient).toBe(true);
    expect(sockets[0]?.closedByClient).toBe(false);
    live.close();
  });

  it('opens no second connection while the token callback has nothing fresher', async () => {
    const same = jwt('same', 100);
    const { live, sockets, current } = setup({ token: () => same });
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    await vi.advanceTimersByTimeAsync(99_000);
    expect(sockets).toHaveLength(1);
    live.close();
  });

  it('honours a configured margin', async () => {
    let issued = 0;
    const { live, sockets, current } = setup({
      token: () => jwt(`t${++issued}`, 200),
      tokenRefresh: { marginMs: 5_000 },
    });
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    // 5 s before exp, less than 10% of 200 s.
    await vi.advanceTimersByTimeAsync(194_999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    live.close();
  });

  it('reports a close for token_expired as 4001 and reconnects at once with a fresh token, catching up', async () => {
    let issued = 0;
    const { live, sockets, current, stored, reads } = setup({
      stored: [1],
      token: () => jwt(`t${++issued}`, 100),
    });
    const closes: CloseInfo[] = [];
    live.onClose((close) => closes.push(close));
    const seen: number[] = [];
    live.watchPost('p1', { onComment: (c) => seen.push(c.seq) });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(6_000);

    // Clock skew, or a refresh that failed: the server closes the connection first.
    current().frame({ type: 'error', code: 'token_expired', message: 'The token has expired.' });
    current().drop();
    expect(closes).toEqual([{ code: 4001, reason: 'token_expired' }]);
    expect(live.lastClose).toEqual({ code: 4001, reason: 'token_expired' });
    await vi.advanceTimersByTimeAsync(0); // no backoff
    expect(sockets).toHaveLength(2);
    expect(issued).toBe(2);
    stored.add(2);
    current().open();
    current().ackSubscribes();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads.at(-1)).toBe('/api/v1/posts/p1/comments?afterSeq=1&limit=100');
    expect(seen).toEqual([1, 2]);
  });

  it('reports other closes with the socket’s code and reason', async () => {
    const { live, current } = setup();
    const closes: CloseInfo[] = [];
    live.onClose((close) => closes.push(close));
    live.watchFeed({ onComment: () => {} });
    await vi.advanceTimersByTimeAsync(0);
    current().open();
    current().onclose?.({ code: 1001, reason: 'Going away' });
    current().drop();
    expect(closes[0]).toEqual({ code: 1001, reason: 'Going away' });
    live.close();
  });
});
