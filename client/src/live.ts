import { POLICY_CLOSE_CODE } from '@live-comments/events/websocket';
import { createApiClient } from './http';
import { PostStream } from './post-stream';
import { RecentIds } from './recent-ids';
import { Subscriptions, type Watcher } from './subscriptions';
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
  /** The JWT, read at every (re)connect; none means an anonymous reader. */
  token?: () => string | undefined | Promise<string | undefined>;
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
 * reason, except after the server's `policy_violation` frame (the connection
 * sent too many frames), when it is 1008 and the frame's message: API Gateway
 * itself closes such a connection with 1000.
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

  const stateListeners = new Set<(state: ConnectionState) => void>();
  const closeListeners = new Set<(close: CloseInfo) => void>();
  /** Set by the server's `policy_violation` frame: the close that follows is reported as it. */
  let policyClose: CloseInfo | undefined;
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
          policyClose = { code: POLICY_CLOSE_CODE, reason: frame.message };
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

  /** Forgets the current socket (its late events are ignored) and closes it. */
  const discardSocket = () => {
    stopHeartbeat();
    subscriptions.closed();
    const old = socket;
    socket = undefined;
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // closing a socket that never opened may throw in some implementations
    }
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
    const url = token ? `${options.websocketUrl}?token=${encodeURIComponent(token)}` : options.websocketUrl;
    let opened: SocketLike;
    try {
      opened = openSocket(url);
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
    };
    opened.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') onFrame(frame);
    };
    opened.onerror = () => {}; // a close event follows
    opened.onclose = (event) => {
      const closed = event as { code?: unknown; reason?: unknown } | undefined;
      const info = policyClose ?? {
        // 1006: closed without a close frame (what browsers report for a dropped network).
        code: typeof closed?.code === 'number' ? closed.code : 1006,
        reason: typeof closed?.reason === 'string' ? closed.reason : '',
      };
      const afterPolicy = policyClose !== undefined;
      policyClose = undefined;
      // A connection that stayed up a while starts the backoff afresh; one
      // that keeps closing at once (a refused token) keeps backing off.
      if (openedAt && Date.now() - openedAt >= STABLE_MS && !afterPolicy) attempt = 0;
      openedAt = 0;
      discardSocket();
      for (const listener of closeListeners) listener(info);
      scheduleReconnect(afterPolicy);
    };
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
    /** Calls `listener` on every change of state; returns the function that stops it. */
    onStateChange(listener: (state: ConnectionState) => void): () => void {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    /**
     * Calls `listener` each time the connection closed without the client
     * asking (before it reconnects): code 1008 and the server's reason when
     * it closed the connection for a policy violation. Returns the function
     * that stops it.
     */
    onClose(listener: (close: CloseInfo) => void): () => void {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
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
