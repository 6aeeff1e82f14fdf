import { ConflictError, ForbiddenError, NotFoundError, type Page } from '@live-comments/shared';
import { z } from 'zod';
import { type AnnounceDeps, announce } from './outbox';

/**
 * Limits of a post, checked on every write. Both fields are trimmed first, so a
 * title of spaces is empty. 200 characters fit a heading; 10 000 characters are
 * a long article and stay far below the HTTP kit's 64 KiB body limit even in
 * 4-byte UTF-8, and below DynamoDB's 400 KB item limit.
 */
export const TITLE_MAX_CHARS = 200;
export const BODY_MAX_CHARS = 10_000;

const title = z
  .string()
  .trim()
  .min(1, 'The title must not be empty.')
  .max(TITLE_MAX_CHARS, `The title has at most ${TITLE_MAX_CHARS} characters.`);
const body = z
  .string()
  .trim()
  .min(1, 'The body must not be empty.')
  .max(BODY_MAX_CHARS, `The body has at most ${BODY_MAX_CHARS} characters.`);

/** `POST /api/v1/posts`. Unknown fields are refused, so a typo is a 400 instead of being silently dropped. */
export const newPostBody = z.strictObject({ title, body });

/** `PATCH /api/v1/posts/{postId}`: title, body or both; an empty patch is a 400. */
export const postPatchBody = z
  .strictObject({ title: title.optional(), body: body.optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, {
    message: 'Send a title, a body or both.',
  });

/** Post ids are generated here (UUIDs); anything outside this shape cannot name a post. */
export const postId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a post id.');
export const postPath = z.object({ postId });

/** The Post of API.md. */
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

export type PostEventType = 'PostCreated' | 'PostUpdated' | 'PostDeleted';

/** The fact a post row still has to announce (its outbox slot). */
export interface PendingEvent {
  eventId: string;
  type: PostEventType;
  occurredAt: string;
  correlationId: string;
}

/** A post as stored: the post, its deletion mark (a tombstone until PostDeleted is out) and its outbox slot. */
export interface StoredPost {
  post: Post;
  deletedAt?: string;
  pending?: PendingEvent;
}

export type AuthorWriteOutcome =
  | { outcome: 'written'; stored: StoredPost }
  | { outcome: 'not_found' }
  | { outcome: 'forbidden' }
  | { outcome: 'conflict' };

export type PostCounter = 'commentCount' | 'favoriteCount';

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

export interface PostsDeps extends AnnounceDeps {
  clock: () => Date;
  newId: () => string;
}

const pendingEvent = (deps: PostsDeps, correlationId: string) => ({
  eventId: deps.newId(),
  occurredAt: deps.clock().toISOString(),
  correlationId,
});

export const createPost = async (
  deps: PostsDeps,
  input: { authorId: string; title: string; body: string },
  correlationId: string,
): Promise<Post> => {
  const event = pendingEvent(deps, correlationId);
  const post: Post = {
    id: deps.newId(),
    authorId: input.authorId,
    title: input.title,
    body: input.body,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
    commentCount: 0,
    favoriteCount: 0,
  };
  const stored = { post, pending: { ...event, type: 'PostCreated' as const } };
  await deps.posts.create(stored);
  await announce(deps, stored);
  return post;
};

export const getPost = async (deps: Pick<PostsDeps, 'posts'>, postId: string): Promise<Post> => {
  const post = await deps.posts.get(postId);
  if (!post) throw new NotFoundError('No post with this id.');
  return post;
};

export const listPosts = (
  deps: Pick<PostsDeps, 'posts'>,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Post>> => deps.posts.list(page);

const authorWritten = (result: AuthorWriteOutcome): StoredPost => {
  switch (result.outcome) {
    case 'written':
      return result.stored;
    case 'not_found':
      throw new NotFoundError('No post with this id.');
    case 'forbidden':
      throw new ForbiddenError('Only the author can change this post.');
    case 'conflict':
      throw new ConflictError('The post changed while it was being written; try again.');
  }
};

export const updatePost = async (
  deps: PostsDeps,
  input: {
    postId: string;
    authorId: string;
    changes: { title?: string | undefined; body?: string | undefined };
  },
  correlationId: string,
): Promise<Post> => {
  const stored = authorWritten(
    await deps.posts.update({ ...input, event: pendingEvent(deps, correlationId) }),
  );
  await announce(deps, stored);
  return stored.post;
};

export const deletePost = async (
  deps: PostsDeps,
  input: { postId: string; authorId: string },
  correlationId: string,
): Promise<void> => {
  const stored = authorWritten(
    await deps.posts.markDeleted({ ...input, event: pendingEvent(deps, correlationId) }),
  );
  await announce(deps, stored);
};
