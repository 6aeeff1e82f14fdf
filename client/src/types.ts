import type { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import type { ServerFrame as ProtocolServerFrame, SubscribedFrame } from '@live-comments/events/websocket';
import type { z } from 'zod';

export type { ClientFrame, Topic } from '@live-comments/events/websocket';

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

/**
 * Frames the server sends (API.md, "Server to client"), as the protocol
 * declares them, except that `subscribed.at` (the watermark of the deletions
 * read after a reconnect) may be absent from servers older than it. Unknown
 * types are ignored by the client.
 */
export type ServerFrame =
  | Exclude<ProtocolServerFrame, SubscribedFrame>
  | (Omit<SubscribedFrame, 'at'> & { at?: string });
