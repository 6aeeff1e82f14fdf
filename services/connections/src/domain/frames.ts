import type { Topic } from './topics';

/** Frames the server sends, as in API.md's WebSocket protocol. Every reply echoes the client's requestId. */
export type ReplyFrame =
  /** `at`: when the subscription was stored (ISO time, server clock); added to API.md's frame. */
  | { type: 'subscribed'; topic: Topic; at: string; requestId?: string }
  | { type: 'unsubscribed'; topic: Topic; requestId?: string }
  | { type: 'pong'; requestId?: string }
  | { type: 'error'; code: FrameErrorCode; message: string; requestId?: string };

/** Stable machine words of error frames; the connection stays open after each. */
export type FrameErrorCode = 'invalid_frame' | 'unknown_action' | 'invalid_topic' | 'internal_error';

export const errorFrame = (code: FrameErrorCode, message: string, requestId?: string): ReplyFrame => ({
  type: 'error',
  code,
  message,
  ...(requestId === undefined ? {} : { requestId }),
});
