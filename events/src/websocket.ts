/**
 * The WebSocket protocol of docs/API.md ("WebSocket protocol"), declared once:
 * the topics, the frames a client sends, the frames the server sends, and
 * the builders the connections service makes its frames with. The typed
 * client imports the types. Nothing here needs zod at run time (the comment
 * types are type-only imports), so a browser bundle carries only what it calls.
 */
import type { DataOf } from './contract';
import type { CommentCreatedV1, CommentDeletedV1 } from './contracts/comments';

/**
 * What a connection subscribes to: `post:<postId>` (the events of one post)
 * or `feed` (every new comment on any post, the toast stream).
 */
export type Topic = `post:${string}` | 'feed';

export const FEED_TOPIC = 'feed' satisfies Topic;

/** Post ids are opaque but short and URL-safe (UUIDs, ULIDs); anything else cannot name a post. */
const POST_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const postTopic = (postId: string): Topic => `post:${postId}`;

/** The topic a frame named, or undefined when it is not a topic (`feed`, or `post:` and a post id). */
export const parseTopic = (value: unknown): Topic | undefined => {
  if (value === FEED_TOPIC) return FEED_TOPIC;
  if (typeof value !== 'string' || !value.startsWith('post:')) return undefined;
  const postId = value.slice('post:'.length);
  return POST_ID.test(postId) ? postTopic(postId) : undefined;
};

/** Client to server: API Gateway routes each frame by its `action`. */
export type ClientFrame =
  | { action: 'subscribe'; topic: Topic; requestId?: string }
  | { action: 'unsubscribe'; topic: Topic; requestId?: string }
  | { action: 'ping'; requestId?: string };

/** Server to client. Every reply to a client frame echoes the `requestId` that frame carried. */
export interface SubscribedFrame {
  type: 'subscribed';
  topic: Topic;
  /** When the subscription was stored (ISO time, the server's clock): frames broadcast after it reach the connection. */
  at: string;
  requestId?: string;
}

export interface UnsubscribedFrame {
  type: 'unsubscribed';
  topic: Topic;
  requestId?: string;
}

export interface PongFrame {
  type: 'pong';
  requestId?: string;
}

/**
 * The stable machine words of error frames. The connection stays open after
 * each, except the server's last frame before it closes the connection:
 * `policy_violation` (POLICY_CLOSE_CODE) and `token_expired`
 * (TOKEN_EXPIRED_CLOSE_CODE).
 */
export type FrameErrorCode =
  | 'invalid_frame'
  | 'unknown_action'
  | 'invalid_topic'
  | 'internal_error'
  /** The connection sent frames faster than its limit: this one was not acted on. */
  | 'rate_limited'
  /** The connection has as many subscriptions as it may: nothing was subscribed. */
  | 'subscription_limit'
  /** The connection kept flooding and is being closed (no requestId: it answers no one frame). */
  | 'policy_violation'
  /** The connection's token expired and it is being closed (no requestId): connect again with a fresh one. */
  | 'token_expired';

/**
 * The close code (RFC 6455 "policy violation") the typed client reports after a
 * `policy_violation` frame. API Gateway closes a connection the backend deletes
 * with 1000 whatever the reason, so the frame, not the socket's code, is the signal.
 */
export const POLICY_CLOSE_CODE = 1008;

/**
 * The close code (application range) the typed client reports after a
 * `token_expired` frame, for the same reason: the backend closes the
 * connection with DeleteConnection and cannot choose the socket's code.
 */
export const TOKEN_EXPIRED_CLOSE_CODE = 4001;

export interface ErrorFrame {
  type: 'error';
  code: FrameErrorCode;
  message: string;
  requestId?: string;
}

/** A new comment, on its post's topic and on `feed`. */
export interface CommentCreatedFrame {
  type: 'comment.created';
  topic: Topic;
  eventId: string;
  data: DataOf<typeof CommentCreatedV1>;
}

/** A deleted comment, on its post's topic. */
export interface CommentDeletedFrame {
  type: 'comment.deleted';
  topic: Topic;
  eventId: string;
  data: DataOf<typeof CommentDeletedV1>;
}

/** The answer to one client frame. */
export type ReplyFrame = SubscribedFrame | UnsubscribedFrame | PongFrame | ErrorFrame;

/** A comment event, sent to every subscriber of a topic (at least once: deduplicate on `eventId`). */
export type BroadcastFrame = CommentCreatedFrame | CommentDeletedFrame;

/** Every frame the server sends. More types may be added; clients ignore types they do not know. */
export type ServerFrame = ReplyFrame | BroadcastFrame;

const echo = (requestId: string | undefined) => (requestId === undefined ? {} : { requestId });

export const subscribedFrame = (topic: Topic, at: string, requestId?: string): SubscribedFrame => ({
  type: 'subscribed',
  topic,
  at,
  ...echo(requestId),
});

export const unsubscribedFrame = (topic: Topic, requestId?: string): UnsubscribedFrame => ({
  type: 'unsubscribed',
  topic,
  ...echo(requestId),
});

export const pongFrame = (requestId?: string): PongFrame => ({ type: 'pong', ...echo(requestId) });

export const errorFrame = (code: FrameErrorCode, message: string, requestId?: string): ErrorFrame => ({
  type: 'error',
  code,
  message,
  ...echo(requestId),
});

export const commentCreatedFrame = (
  topic: Topic,
  eventId: string,
  data: DataOf<typeof CommentCreatedV1>,
): CommentCreatedFrame => ({ type: 'comment.created', topic, eventId, data });

export const commentDeletedFrame = (
  topic: Topic,
  eventId: string,
  data: DataOf<typeof CommentDeletedV1>,
): CommentDeletedFrame => ({ type: 'comment.deleted', topic, eventId, data });
