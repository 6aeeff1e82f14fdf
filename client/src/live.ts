import { POLICY_CLOSE_CODE, TOKEN_EXPIRED_CLOSE_CODE } from '@live-comments/events/websocket';
import { createApiClient } from './http';
import { PostStream } from './post-stream';
import { RecentIds } from './recent-ids';
import { Subscriptions, type Watcher } from './subscriptions';
import { refreshAt, tokenLifetime } from './token';
import type { ClientFrame, Comment, CommentDeleted, Page, ServerFrame, Topic } from './types';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the client needs of a WebSocket: the browser's, Node's global one and `ws` all fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface LiveCommentsOptions {
  /** The WebSocket API's URL, e.g. `ws://localhost:3001` or `wss://…/prod`. */
  websocketUrl: string;
  /** The HTTP API's base URL, for the catch-up reads that make reconnects lossless. */
  apiUrl: string;
  /**
   * The JWT, read at every (re)connect and before the token in use expires
   * (it may refresh it first: a Promise is awaited); none means an anonymous reader.
   */
  token?: () => string | undefined | Promise<string | undefined>;
  /**
   * A connection does not outlive its token (the server closes it at
   * expiry, `token_expired`): some time before the token's `exp` the client
   * reads a fresh one, opens a second connection with it, subscribes the
   * same topics there and closes the first only once every topic is
   * confirmed (make-before-break), then catches up. Each comment is still
   * delivered once.
   */
  tokenRefresh?: {
    /** How long before `exp` at most. Default 60 s. */
    marginMs?: number;
    /** Or this share of the token's lifetime, if less. Default 0.1. */
    fraction?: number;
    /** A second connection not ready within this long is given up (tried again shortly). Default 10 s. */
    timeoutMs?: number;
  };
  reconnect?: {
    /** First retry after at most this long (full jitter), doubling up to `maxDelayMs`. Default 500 ms. */
    initialDelayMs?: number;
    /** Default 30 s. */
    maxDelayMs?: number;
    /**
     * After the server closed the connection for a policy violation (it sent
     * too many frames), the next attempt waits between half this and this
     * long rather than reconnecting at once into the same limit. Default 60 s.
     */
    afterPolicyCloseMs?: number;
  };
  heartbeat?: {
    /**
     * A `ping` this often keeps the connection under API Gateway's 10-minute
     * idle timeout and finds a dead one (a sleeping laptop's socket may never
     * see a close). Each ping is a Lambda invocation, hence not more often.
     * Default 5 min.
     */
    intervalMs?: number;
    /** No `pong` within this long: the connection is dropped and opened again. Default 10 s. */
    timeoutMs?: number;
  };
  /**
   * How long a topic stays subscribed after its last watch closed (leaving a
   * page and coming back within it costs no unsubscribe and subscribe). Default 2 s.
   */
  unsubscribeAfterMs?: number;
  /** How long a gap in a post's `seq` may stay open before it is read over HTTP. Default 1 s. */
  gapWaitMs?: number;
  /** Defaults to the global WebSocket (browsers, Node 22). */
  socket?: SocketFactory;
  fetch?: typeof fetch;
  /** Jitter source, for tests. */
  random?: () => number;
}

export interface PostWatchOptions {
  /** The highest seq the caller already shows; default 0: the whole history is read first. */
  afterSeq?: number;
  /**
   * Every comment exactly once, in seq order, across reconnects. (A comment
   * that became readable only after a later one was read is delivered late,
   * not lost.)
   */
  onComment(comment: Comment): void;
  /**
   * Each deletion once: seen live, or read after a reconnect (what was deleted
   * while disconnected, from the deleted-comments list; kept there a week).
   * It may name a comment this watch never delivered (harmless to remove);
   * a comment is never delivered after its deletion.
   */
  onDeleted?(deleted: CommentDeleted): void;
  /** A refused subscription or a failed catch-up read of comments or deletions (retried). */
  onError?(error: Error): void;
}

export interface FeedWatchOptions {
  /** Every new comment on any post, once: best effort, comments made while disconnected are not replayed. */
  onComment(comment: Comment): void;
  onError?(error: Error): void;
}

/**
 * Why a connection closed, as the client saw it: the socket's close code and
 * reason, except after the server's last frame (API Gateway itself closes a
 * connection the backend deletes with 1000): after `policy_violation` (the
 * connection sent too many frames) 1008 and the frame's message, the next
 * attempt waiting 30 to 60 s; after `token_expired` 4001 `token_expired`,
 * the client reconnecting with a fresh token at once.
 */
export interface CloseInfo {
  code: number;
  reason: string;
}

export interface Watch {
  /** Stops this watch; the topic is unsubscribed when its last watch stops. */
  close(): void;
}

/** A refused subscribe, with the error frame's code (for example `invalid_topic`). */
export class SubscriptionError extends Error {
  override name = 'SubscriptionError';
  constructor(
    readonly code: string,
    message: string,
    readonly topic: Topic,
  ) {
    super(message);
  }
}

const OPEN = 1;
/** A subscribe refused with `rate_limited` is tried again after 1 to 2 s (the server's limit refills 10 frames a second). */
const RATE_LIMITED_RETRY_MS = 1_000;
const STABLE_MS = 5_000;
const PAGE = 100;
/** The reason the client reports (with TOKEN_EXPIRED_CLOSE_CODE) after the server's `token_expired` frame. */
const TOKEN_EXPIRED = 'token_expired';

/** The close code and reason of a close event, when it has them (browsers' CloseEvent, `ws`). */
const closeOf = (event: unknown): CloseInfo => {
  const { code, reason } = (event ?? {}) as { code?: unknown; reason?: unknown };
  return { code: typeof code === 'number' ? code : 1006, reason: typeof reason === 'string' ? reason : '' };
};

const parseFrame = (data: unknown): ServerFrame | undefined => {
  if (typeof data !== 'string') return undefined;
  try {
    const frame = JSON.parse(data) as ServerFrame;
    return frame && typeof frame === 'object' ? frame : undefined;
  } catch {
    return undefined;
  }
};

/** A second connection being made ready to replace the current one (make-before-break). */
interface Handover {
  socket: SocketLike;
  token: string;
  /** Subscribe request ids sent on it, and their topics. */
  pending: Map<string, Topic>;
  /** Topics it confirmed, with their `at`. */
  confirmed: Map<Topic, string | undefined>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The WebSocket stream of API.md for browsers and Node: one connection,
 * topics subscribed on demand and again after every reconnect (with jittered
 * exponential backoff and a fresh token), heartbeats, and per post a
 * PostStream that makes the comments lossless and ordered by reading what a
 * disconnection missed over HTTP (`?afterSeq=`, and the deletions since the
 * previous subscription's `at`).
 */
export const createLiveComments = (options: LiveCommentsOptions) => {
  const api = createApiClient({ apiUrl: options.apiUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const openSocket: SocketFactory = options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  const random = options.random ?? Math.random;
  const initialDelay = options.reconnect?.initialDelayMs ?? 500;
  const maxDelay = options.reconnect?.maxDelayMs ?? 30_000;
  const pingEvery = options.heartbeat?.intervalMs ?? 300_000;
  const pongWithin = options.heartbeat?.timeoutMs ?? 10_000;
  const afterPolicyClose = options.reconnect?.afterPolicyCloseMs ?? 60_000;
  const gapWaitMs = options.gapWaitMs ?? 1_000;
  const refreshMarginMs = options.tokenRefresh?.marginMs ?? 60_000;
  const refreshFraction = options.tokenRefresh?.fraction ?? 0.1;
  const handoverTimeoutMs = options.tokenRefresh?.timeoutMs ?? 10_000;

  const stateListeners = new Set<(state: ConnectionState) => void>();
  const closeListeners = new Set<(close: CloseInfo) => void>();
  let lastClose: CloseInfo | undefined;
  /**
   * Set by the server's `policy_violation` or `token_expired` frame on the
   * current socket: the close that follows is reported as it.
   */
  let closing: CloseInfo | undefined;
  /** When the current socket's token expires (epoch ms); undefined without one. */
  let tokenExpiresAtMs: number | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let handover: Handover | undefined;
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | undefined;
  let attempt = 0;
  let openedAt = 0;
  let requestCounter = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let connecting = 0;

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const isOpen = () => socket?.readyState === OPEN;
  const send = (frame: ClientFrame) => {
    if (isOpen()) socket?.send(JSON.stringify(frame));
  };
  const nextRequestId = () => `r${++requestCounter}`;
  const subscriptions = new Subscriptions({
    isOpen,
    send,
    nextRequestId,
    lingerMs: options.unsubscribeAfterMs ?? 2_000,
    unsubscribeTimeoutMs: 5_000,
  });

  const onFrame = (frame: ServerFrame) => {
    switch (frame.type) {
      case 'comment.created':
        for (const watcher of subscriptions.watchersOf(frame.topic))
          watcher.created(frame.data, frame.eventId);
        return;
      case 'comment.deleted':
        for (const watcher of subscriptions.watchersOf(frame.topic))
          watcher.deleted(frame.data, frame.eventId);
        return;
      case 'subscribed':
        subscriptions.subscribed(frame.topic, frame.requestId, frame.at);
        return;
      case 'unsubscribed':
        subscriptions.unsubscribed(frame.topic, frame.requestId);
        return;
      case 'pong':
        if (pongTimer) clearTimeout(pongTimer);
        pongTimer = undefined;
        return;
      case 'error':
        if (frame.code === 'policy_violation') {
          closing = { code: POLICY_CLOSE_CODE, reason: frame.message };
          return;
        }
        if (frame.code === 'token_expired') {
          // The server's last frame before it closes the connection: the close is reported as it.
          closing = { code: TOKEN_EXPIRED_CLOSE_CODE, reason: TOKEN_EXPIRED };
          return;
        }
        if (frame.requestId) {
          subscriptions.refused(
            frame.requestId,
            (topic) => new SubscriptionError(frame.code, frame.message, topic),
            // Sent faster than the connection's limit: tried again once the budget has refilled.
            frame.code === 'rate_limited' ? RATE_LIMITED_RETRY_MS * (1 + random()) : undefined,
          );
        }
        return;
      default:
        return; // unknown types are ignored (API.md: more may be added)
    }
  };

  const stopHeartbeat = () => {
    if (pingTimer) clearInterval(pingTimer);
    if (pongTimer) clearTimeout(pongTimer);
    pingTimer = undefined;
    pongTimer = undefined;
  };

  const detach = (old: SocketLike) => {
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // closing a socket that never opened may throw in some implementations
    }
  };

  const stopRefresh = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = undefined;
    const pending = handover;
    handover = undefined;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    detach(pending.socket);
  };

  /** Forgets the current socket (its late events are ignored) and closes it. */
  const discardSocket = () => {
    stopHeartbeat();
    stopRefresh();
    closing = undefined;
    tokenExpiresAtMs = undefined;
    subscriptions.closed();
    const old = socket;
    socket = undefined;
    if (old) detach(old);
  };

  const scheduleReconnect = (afterPolicy = false) => {
    if (state === 'closed' || reconnectTimer) return;
    setState('reconnecting');
    const delay = afterPolicy
      ? afterPolicyClose * (0.5 + random() / 2)
      : random() * Math.min(maxDelay, initialDelay * 2 ** attempt);
    attempt++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      // A browser that knows it is offline waits for its `online` event (onOnline):
      // attempts meanwhile can only fail and would only run the backoff up.
      if (isOffline()) return;
      void connect();
    }, delay);
  };

  const startHeartbeat = () => {
    pingTimer = setInterval(() => {
      send({ action: 'ping', requestId: nextRequestId() });
      if (!pongTimer) {
        pongTimer = setTimeout(() => {
          pongTimer = undefined;
          discardSocket();
          scheduleReconnect();
        }, pongWithin);
      }
    }, pingEvery);
  };

  const connect = async () => {
    const mine = ++connecting;
    discardSocket();
    let token: string | undefined;
    try {
      token = await options.token?.();
    } catch {
      token = undefined;
    }
    if (mine !== connecting || state === 'closed') return;
    let opened: SocketLike;
    try {
      opened = openSocket(urlFor(token));
    } catch {
      scheduleReconnect();
      return;
    }
    socket = opened;
    opened.onopen = () => {
      openedAt = Date.now();
      setState('open');
      subscriptions.opened();
      startHeartbeat();
      scheduleRefresh(token);
    };
    opened.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame) onFrame(frame);
    };
    opened.onerror = () => {}; // a close event follows
    opened.onclose = (event) => onSocketClose(event);
  };

  const urlFor = (token: string | undefined) =>
    token ? `${options.websocketUrl}?token=${encodeURIComponent(token)}` : options.websocketUrl;

  /** The current socket closed (not one the client closed itself): report why, and connect again. */
  const onSocketClose = (event: unknown) => {
    const close = closing ?? closeOf(event);
    const afterPolicy = closing?.code === POLICY_CLOSE_CODE;
    const tokenExpired = closing?.code === TOKEN_EXPIRED_CLOSE_CODE;
    // A connection that stayed up a while starts the backoff afresh; one
    // that keeps closing at once (a refused token) keeps backing off.
    if (openedAt && Date.now() - openedAt >= STABLE_MS && !afterPolicy) attempt = 0;
    openedAt = 0;
    discardSocket();
    lastClose = close;
    for (const listener of closeListeners) listener(close);
    if (tokenExpired && attempt === 0) {
      // The cause is known and a fresh token cures it: no backoff (a refused
      // fresh token closes at once, and backs off from there).
      setState('reconnecting');
      attempt++;
      void connect();
      return;
    }
    scheduleReconnect(afterPolicy);
  };

  /** Times the make-before-break for the token the current socket was opened with. */
  const scheduleRefresh = (token: string | undefined) => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = undefined;
    const lifetime = token ? tokenLifetime(token) : undefined;
    tokenExpiresAtMs = lifetime?.expiresAtMs;
    if (!lifetime) return;
    const at = refreshAt(lifetime, {
      marginMs: refreshMarginMs,
      fraction: refreshFraction,
      nowMs: Date.now(),
    });
    refreshTimer = setTimeout(() => void refresh(), Math.max(0, at - Date.now()));
  };

  /** A refresh that could not be made now is tried again, while the current token lasts. */
  const retryRefresh = () => {
    if (refreshTimer || handover || state !== 'open' || tokenExpiresAtMs === undefined) return;
    const left = tokenExpiresAtMs - Date.now();
    if (left <= 0) return; // the server closes it (token_expired) and the client reconnects
    refreshTimer = setTimeout(() => void refresh(), Math.max(250, Math.min(5_000, left / 4)));
  };

  const refresh = async () => {
    refreshTimer = undefined;
    const current = socket;
    if (!current || handover || state !== 'open') return;
    let token: string | undefined;
    try {
      token = await options.token?.();
    } catch {
      token = undefined;
    }
    if (socket !== current || handover || state !== 'open') return;
    const lifetime = token ? tokenLifetime(token) : undefined;
    // No token, or none fresher than the one in use: nothing to gain from a new connection yet.
    if (!token || !lifetime || lifetime.expiresAtMs <= (tokenExpiresAtMs ?? 0)) {
      retryRefresh();
      return;
    }
    let next: SocketLike;
    try {
      next = openSocket(urlFor(token));
    } catch {
      retryRefresh();
      return;
    }
    const started: Handover = {
      socket: next,
      token,
      pending: new Map(),
      confirmed: new Map(),
      timer: undefined,
    };
    handover = started;
    const giveUp = () => {
      if (handover !== started) return;
      stopRefresh();
      retryRefresh();
    };
    started.timer = setTimeout(giveUp, handoverTimeoutMs);
    next.onopen = () => {
      for (const topic of subscriptions.activeTopics()) {
        const requestId = nextRequestId();
        started.pending.set(requestId, topic);
        next.send(JSON.stringify({ action: 'subscribe', topic, requestId } satisfies ClientFrame));
      }
      if (started.pending.size === 0) handOver(started);
    };
    next.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (!frame) return;
      const requestId = 'requestId' in frame ? frame.requestId : undefined;
      if (frame.type === 'subscribed' && requestId && started.pending.delete(requestId)) {
        started.confirmed.set(frame.topic, frame.at);
        if (started.pending.size === 0) handOver(started);
      } else if (frame.type === 'error' && requestId && started.pending.has(requestId)) {
        giveUp();
      } else if (frame.type === 'comment.created' || frame.type === 'comment.deleted') {
        onFrame(frame); // both connections may carry a comment: the watches deliver it once
      }
    };
    next.onerror = () => {};
    next.onclose = giveUp;
  };

  /** The second connection has every topic: it becomes the connection, and the first is closed. */
  const handOver = (ready: Handover) => {
    if (handover !== ready) return;
    if (ready.timer) clearTimeout(ready.timer);
    handover = undefined;
    const old = socket;
    stopHeartbeat();
    closing = undefined;
    socket = ready.socket;
    openedAt = Date.now();
    ready.socket.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame) onFrame(frame);
    };
    ready.socket.onclose = (event) => onSocketClose(event);
    subscriptions.handedOver(ready.confirmed);
    startHeartbeat();
    scheduleRefresh(ready.token);
    if (old) detach(old);
  };

  const addWatcher = (topic: Topic, watcher: Watcher): Watch => ({
    close: subscriptions.watch(topic, watcher),
  });

  const everyPage = async <T>(read: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  };
  const readAfter = (postId: string) => (afterSeq: number) =>
    everyPage((cursor) => api.listComments(postId, { afterSeq, limit: PAGE, ...(cursor ? { cursor } : {}) }));
  const readDeletedSince = (postId: string) => (since: string) =>
    everyPage((cursor) =>
      api.listDeletedComments(postId, { since, limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );

  /** Only a browser's `navigator.onLine === false` is trusted (`true` can mean a captive portal). */
  const isOffline = () => (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
  // Browsers say when the network is back: no need to wait out the backoff.
  const onOnline = () => {
    if (state === 'reconnecting') live.reconnect();
  };
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void };
  const untarget = globalThis as { removeEventListener?: (type: string, listener: () => void) => void };
  target.addEventListener?.('online', onOnline);

  const live = {
    get state(): ConnectionState {
      return state;
    },
    /** The last connection's close (code and reason), once one closed. */
    get lastClose(): CloseInfo | undefined {
      return lastClose;
    },
    /**
     * Calls `listener` each time the connection closes other than by
     * `close()` or a token refresh (the client reconnects on its own):
     * `{code: 4001, reason: 'token_expired'}` when the server closed it for
     * its token, 1008 and the server's reason when it closed it for a policy
     * violation, else the socket's close code and reason. Returns the
     * function that stops it.
     */
    onClose(listener: (close: CloseInfo) => void): () => void {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    /** Calls `listener` on every change of state; returns the function that stops it. */
    onStateChange(listener: (state: ConnectionState) => void): () => void {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    watchPost(postId: string, watch: PostWatchOptions): Watch {
      const onError = watch.onError ?? (() => {});
      const stream = new PostStream({
        afterSeq: watch.afterSeq ?? 0,
        readAfter: readAfter(postId),
        deliver: (comment) => watch.onComment(comment),
        readDeletedSince: readDeletedSince(postId),
        deliverDeleted: (deleted) => watch.onDeleted?.(deleted),
        gapWaitMs,
        retryMs: Math.max(gapWaitMs, 2_000),
        onError,
      });
      const handle = addWatcher(`post:${postId}`, {
        created: (comment) => stream.receive(comment),
        // Deduplicated by comment id in the stream: a deletion is seen live and read after reconnects.
        deleted: (deleted) => stream.deleted(deleted),
        subscribed: (at) => stream.subscribed(at),
        error: onError,
      });
      // The history now, not after the subscription is confirmed (a cold
      // start of the subscribe function can take seconds); the read that
      // follows the confirmation then covers only what came in between.
      void stream.catchUp();
      return {
        close: () => {
          stream.close();
          handle.close();
        },
      };
    },
    watchFeed(watch: FeedWatchOptions): Watch {
      const seen = new RecentIds(1_000);
      return addWatcher('feed', {
        created: (comment, eventId) => {
          if (seen.add(eventId)) watch.onComment(comment);
        },
        deleted: () => {},
        subscribed: () => {},
        error: watch.onError ?? (() => {}),
      });
    },
    /** Drops the connection and opens a new one now (for example after sign-in, with the new token). */
    reconnect(): void {
      if (state === 'closed') return;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      attempt = 0;
      setState(socket ? 'reconnecting' : state);
      void connect();
    },
    close(): void {
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      connecting++;
      setState('closed');
      discardSocket();
      untarget.removeEventListener?.('online', onOnline);
    },
  };

  void connect();
  return live;
};

export type LiveComments = ReturnType<typeof createLiveComments>;
