import type { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import type { z } from 'zod';

/**
 * The public contract's shapes (API.md). Comment and CommentDeleted are the
 * event contracts' own types (type-only imports: nothing of zod is bundled).
 */
export type Comment = z.infer<typeof CommentCreatedV1.data>;
export type CommentDeleted = z.infer<typeof CommentDeletedV1.data>;

export interface Post {
  id: string;
  authorId: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  commentCount: number;
  favoriteCount: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Topic = `post:${string}` | 'feed';

/** Frames the server sends (API.md, "Server to client"). Unknown types are ignored by the client. */
export type ServerFrame =
  /**
   * `at`: when the server stored the subscription (ISO time, the server's clock), the
   * watermark of the deletions read after a reconnect; absent from servers older than it.
   */
  | { type: 'subscribed'; topic: Topic; at?: string; requestId?: string }
  | { type: 'unsubscribed'; topic: Topic; requestId?: string }
  | { type: 'pong'; requestId?: string }
  | { type: 'error'; code: string; message: string; requestId?: string }
  | { type: 'comment.created'; topic: Topic; eventId: string; data: Comment }
  | { type: 'comment.deleted'; topic: Topic; eventId: string; data: CommentDeleted };

/** Frames the client sends (API.md, "Client to server"). */
export type ClientFrame =
  | { action: 'subscribe'; topic: Topic; requestId?: string }
  | { action: 'unsubscribe'; topic: Topic; requestId?: string }
  | { action: 'ping'; requestId?: string };
