/** What the benches' subscriber processes (child.ts) and their pool (pool.ts) say to each other over IPC. */

export interface OpenRequest {
  kind: 'open';
  /** The WebSocket API, ws://host:port. */
  url: string;
  /** Each socket subscribes to every one of these topics. */
  topics: string[];
  /** Sockets this process opens. */
  count: number;
  /** Handshakes per second this process starts at most (the account's new-connections rate is shared). */
  connectsPerSecond: number;
  /** Subscribe messages per second this process sends at most (each costs the account two requests: it and its reply). */
  subscribesPerSecond: number;
  /** Sockets being opened and subscribed at once. */
  concurrency: number;
}

export interface StatsRequest {
  kind: 'stats';
  /** Only these comments (their `data.id`); every one seen when absent. */
  commentIds?: string[];
  /** Also each socket's first receipt time of each frame. */
  withTimes?: boolean;
}

export interface CloseRequest {
  kind: 'close';
}

export type RequestBody = OpenRequest | StatsRequest | CloseRequest;
export type Request = RequestBody & { id: number };

export interface Progress {
  kind: 'progress';
  opened: number;
  subscribed: number;
  retries: number;
}

/** One broadcast frame (a topic and an event) as this process's sockets received it. */
export interface FrameStats {
  topic: string;
  eventId: string;
  commentId: string;
  type: string;
  /** Sockets that received it at least once. */
  sockets: number;
  /** Copies received in all (sockets + duplicates). */
  copies: number;
  /** When each of those sockets first had it (epoch ms, sub-millisecond), if asked for. */
  firstAt?: number[];
}

export interface OpenReply {
  kind: 'opened';
  id: number;
  opened: number;
  retries: number;
  /** Handshakes refused with 429 (new connections throttled), subscribes answered Too Many Requests, replies that never came. */
  refusedHandshakes: number;
  throttledSubscribes: number;
  missingReplies: number;
}

export interface StatsReply {
  kind: 'stats';
  id: number;
  sockets: number;
  /** Sockets closed by the server. */
  closed: number;
  frames: FrameStats[];
}

export interface ErrorReply {
  kind: 'error';
  id: number;
  message: string;
}

export type Reply = OpenReply | StatsReply | ErrorReply | { kind: 'closed'; id: number };
export type ChildMessage = Reply | Progress;

/** A wall-clock time with performance.now()'s resolution, comparable across processes of one machine. */
export const preciseNow = () => performance.timeOrigin + performance.now();
