import type { Publisher } from '@live-comments/events';
import type { Page } from '@live-comments/shared';
import type { CommentMark, CountOutcome, UncountOutcome } from './counted-comment';
import type { Favorite, FavoriteAdded, FavoriteRemoved } from './favorite';
import type { AuthorWriteOutcome, PendingEvent, Post, PostCounter, StoredPost } from './post';

/**
 * What the posts service's domain needs from outside: the two tables, the
 * event bus, the time and fresh ids. The adapters implement them on AWS
 * (`../adapters`), the tests in memory (`../testing/fakes.ts`).
 */

/** The posts table as the domain sees it. */
export interface PostsStore {
  create(stored: StoredPost & { pending: PendingEvent }): Promise<void>;
  /** A live post (never a deleted one), or undefined. */
  get(postId: string): Promise<Post | undefined>;
  /** Live posts among these ids; missing and deleted ones are left out, order is not kept. */
  getMany(postIds: string[]): Promise<Post[]>;
  /** Newest first. A cursor from another list is an InvalidCursorError. */
  list(page: { limit: number; cursor?: string | undefined }): Promise<Page<Post>>;
  /**
   * Applies the changes only if the caller is the author (checked in the write
   * itself). The outbox slot gets a fresh event id; its type stays PostCreated
   * while the creation is still unannounced, otherwise it becomes PostUpdated.
   */
  update(input: {
    postId: string;
    authorId: string;
    changes: { title?: string | undefined; body?: string | undefined };
    event: Omit<PendingEvent, 'type'>;
  }): Promise<AuthorWriteOutcome>;
  /** Turns the post into a tombstone carrying a pending PostDeleted, only if the caller is the author. */
  markDeleted(input: {
    postId: string;
    authorId: string;
    event: Omit<PendingEvent, 'type'>;
  }): Promise<AuthorWriteOutcome>;
  /** Empties the outbox slot if it still holds this event (and removes the tombstone of a deleted post). */
  settle(postId: string, event: PendingEvent): Promise<void>;
  /** Posts whose slot holds an event that occurred before `dueBefore`, oldest first (Query on a sparse index). */
  pending(dueBefore: string): AsyncIterable<StoredPost>;
  /** Adds delta to a counter of a live post; false when the post is gone or the counter would drop below 0. */
  adjustCounter(postId: string, counter: PostCounter, delta: number): Promise<boolean>;
}

/**
 * The counted-comments table: one marker per comment the counter has seen
 * (see `counted-comment.ts`). Every move of a marker changes its post's
 * commentCount in the same transaction, and none is made on a deleted post.
 */
export interface CountedCommentsStore {
  /** A CommentCreated: counts the comment unless its marker says it was counted or deleted before. */
  count(comment: CommentMark): Promise<CountOutcome>;
  /** A CommentDeleted: uncounts a counted comment, or leaves a tombstone so its CommentCreated never counts. */
  uncount(comment: CommentMark): Promise<UncountOutcome>;
  /**
   * Removes up to `max` markers of a deleted post (no new ones can appear);
   * true when none is left.
   */
  forget(postId: string, max: number): Promise<boolean>;
}

/** The favorites table as the domain sees it. */
export interface FavoritesStore {
  /**
   * Writes the favorite and counts it on the post, both or neither (one
   * transaction): `no-post` when the post does not exist or is deleted,
   * `already-there` when the user had it already.
   */
  add(userId: string, favorite: Favorite): Promise<FavoriteAdded>;
  /**
   * Removes the favorite and uncounts it, both or neither; a favorite of a
   * deleted post goes without touching its counter.
   */
  remove(userId: string, postId: string): Promise<FavoriteRemoved>;
  /** The user's favorites, newest first. A cursor from another list is an InvalidCursorError. */
  list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Favorite>>;
}

/** The event bus: post events go out in batches (PutEvents takes 10 entries per call). */
export type PostPublisher = Pick<Publisher, 'publishAll'>;

export type Clock = () => Date;
export type IdGenerator = () => string;
