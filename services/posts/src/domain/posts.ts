import { ConflictError, ForbiddenError, NotFoundError, type Page } from '@live-comments/shared';
import { announce, type OutboxDeps } from './outbox';
import type { IdGenerator } from './ports';
import type { AuthorWriteOutcome, Post, StoredPost } from './post';

/**
 * The posts' routes. Each write stores its event in the post's outbox slot and
 * announces it; its input carries the request's correlation id for the event.
 */
export interface PostsDeps extends OutboxDeps {
  newId: IdGenerator;
}

const pendingEvent = (deps: PostsDeps, correlationId: string) => ({
  eventId: deps.newId(),
  occurredAt: deps.clock().toISOString(),
  correlationId,
});

export const createPost = async (
  deps: PostsDeps,
  input: { authorId: string; title: string; body: string; correlationId: string },
): Promise<Post> => {
  const event = pendingEvent(deps, input.correlationId);
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
    correlationId: string;
  },
): Promise<Post> => {
  const { postId, authorId, changes, correlationId } = input;
  const stored = authorWritten(
    await deps.posts.update({ postId, authorId, changes, event: pendingEvent(deps, correlationId) }),
  );
  await announce(deps, stored);
  return stored.post;
};

export const deletePost = async (
  deps: PostsDeps,
  input: { postId: string; authorId: string; correlationId: string },
): Promise<void> => {
  const { postId, authorId, correlationId } = input;
  const stored = authorWritten(
    await deps.posts.markDeleted({ postId, authorId, event: pendingEvent(deps, correlationId) }),
  );
  await announce(deps, stored);
};
