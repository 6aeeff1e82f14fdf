import type { ServerFrame as ProtocolServerFrame, SubscribedFrame } from '@live-comments/events/websocket';

/**
 * The public contract's shapes (API.md), declared once in the contracts
 * package (type-only imports: nothing of zod is bundled).
 */
export type { Comment, CommentDeletion as CommentDeleted, Page, Post } from '@live-comments/events/http';
export type { ClientFrame, Topic } from '@live-comments/events/websocket';

/**
 * Frames the server sends (API.md, "Server to client"), as the protocol
 * declares them, except that `subscribed.at` (the watermark of the deletions
 * read after a reconnect) may be absent from servers older than it. Unknown
 * types are ignored by the client.
 */
export type ServerFrame =
  | Exclude<ProtocolServerFrame, SubscribedFrame>
  | (Omit<SubscribedFrame, 'at'> & { at?: string });
