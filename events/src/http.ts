/**
 * The HTTP API's resources as docs/API.md declares them, once: the services
 * answer with them and the typed client reads them. Type-only, so nothing of
 * zod reaches a browser bundle.
 */
import type { z } from 'zod';
import type { CommentCreatedV1, CommentDeletedV1 } from './contracts/comments';
import type { postSnapshot } from './contracts/posts';

/** A post with its counters (the events carry the post without them). */
export type Post = z.infer<typeof postSnapshot> & { commentCount: number; favoriteCount: number };

/** A comment: exactly the data of CommentCreated and of the comment.created frame. */
export type Comment = z.infer<typeof CommentCreatedV1.data>;

/** A deleted comment: exactly the data of CommentDeleted and of the comment.deleted frame. */
export type CommentDeletion = z.infer<typeof CommentDeletedV1.data>;

/** Every list: `?limit=` and `?cursor=` in, this out. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
