import type { Publisher } from '@live-comments/events';
import type { CommentDeleted, CommentRow } from './comment';
import type { KnownPost, PostLookup } from './known-post';

/**
 * The comments service's own record of which posts exist, fed by the posts
 * service's events (it never reads the posts service's tables). The post row
 * also holds the post's comment counter.
 */
export interface KnownPosts {
  /**
   * Atomically takes the post's next comment `seq` (1, 2, 3, ...), or returns
   * undefined when the post is unknown or deleted.
   */
  takeNextSeq(postId: string): Promise<number | undefined>;
  /** Records a created or updated post; a stale update or one for a deleted post changes nothing. */
  recordPost(post: KnownPost): Promise<void>;
  /**
   * Records a post read from the posts service, only if this service has no
   * row for it yet: whatever the events wrote (a deletion above all) wins.
   */
  recordPostIfUnknown(post: KnownPost): Promise<void>;
  /** Marks the post deleted for good (a later PostCreated or PostUpdated does not bring it back). */
  markPostDeleted(post: { id: string; authorId: string; deletedAt: string }): Promise<void>;
  /** Whether the post's deletion has been recorded (an unknown post is not deleted). */
  isDeleted(postId: string): Promise<boolean>;
}

/**
 * The posts service, through its public route `GET /api/v1/posts/{postId}`
 * (no service reads another's tables): asked only when a post is not (yet) in
 * the known-posts table.
 */
export interface PostsReader {
  find(postId: string, options: { correlationId: string }): Promise<PostLookup>;
}

export interface CommentPage {
  rows: CommentRow[];
  /** Where the next page starts (exclusive), when there may be one. */
  lastSeq?: number;
}

/** Where a page of deletions ends: the index position of its last item. */
export interface DeletionPosition {
  deletedAt: string;
  seq: number;
}

export interface DeletionPage {
  deletions: CommentDeleted[];
  /** Where the next page starts (exclusive), when there may be one. */
  last?: DeletionPosition;
}

export interface Comments {
  /**
   * Stores a new comment in one transaction with a check that its post is
   * known and not deleted, so no comment is ever stored for a deleted post:
   * 'no-post' (nothing stored) when the check fails; fails if its (postId,
   * seq) is taken.
   */
  insert(row: CommentRow): Promise<'inserted' | 'no-post'>;
  /** Live (not deleted) comments of a post, oldest first, after `afterSeq`, at most `limit`. */
  list(postId: string, options: { afterSeq: number; limit: number }): Promise<CommentPage>;
  /** A comment by its id (tombstones included), read consistently. */
  findById(commentId: string): Promise<CommentRow | undefined>;
  /**
   * Turns a live comment into a tombstone whose CommentDeleted is due; returns
   * the tombstone, or undefined when the comment is already deleted or gone.
   */
  markDeleted(
    row: CommentRow,
    deletion: { deletedAt: string; deleteEventId: string; deleteCorrelationId: string },
  ): Promise<CommentRow | undefined>;
  /** Notes that CommentCreated was published; the row leaves the outbox unless a deletion is due. */
  settleCreated(row: CommentRow): Promise<void>;
  /**
   * Settles a tombstone whose CommentDeleted was published: its body and
   * outbox attributes go, and it stays for the deleted-comments list until
   * `expiresAt` (TTL, epoch seconds). Only for the deletion that was announced;
   * a row that is gone stays gone.
   */
  settleDeleted(row: CommentRow, expiresAt: number): Promise<void>;
  /**
   * Deletions of a post (tombstones, announced or not), oldest first, with
   * `deletedAt` after `since` (ISO time, as stored), after `after`, at most `limit`.
   */
  listDeleted(
    postId: string,
    options: { since: string; after?: DeletionPosition; limit: number },
  ): Promise<DeletionPage>;
  /** Rows with an event due since before `before` (ISO time), at most `limit`. */
  pendingSince(before: string, limit: number): Promise<CommentRow[]>;
  /** Removes every comment of a post; returns how many rows were removed. */
  removeAllOf(postId: string): Promise<number>;
}

export type CommentPublisher = Pick<Publisher, 'publish'>;

export type Clock = () => Date;
export type IdGenerator = () => string;
