/**
 * A post as the comments service knows it: what the posts service's
 * PostCreated and PostUpdated events carry of it, or what its public
 * `GET /api/v1/posts/{postId}` answered before those events arrived.
 */
export interface KnownPost {
  id: string;
  authorId: string;
  createdAt: string;
  updatedAt: string;
}

/** What the posts service answered about a post. */
export type PostLookup =
  | { status: 'found'; post: KnownPost }
  /** The posts service says there is no such post (never created, or deleted). */
  | { status: 'not-found' }
  /** No answer that decides it (unreachable, too slow, 5xx, an unexpected body): never a 404. */
  | { status: 'unavailable'; reason: string };

/**
 * Seconds a client is asked to wait (`Retry-After`) when the post could not be
 * checked: PostCreated reaches this service's projection well within that, so
 * a retry usually no longer needs the posts service.
 */
export const RETRY_AFTER_SECONDS = 1;
