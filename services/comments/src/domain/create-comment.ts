import { NotFoundError } from '@live-comments/shared';
import { type Comment, type CommentRow, outboxShardOf, toComment } from './comment';
import { announce, type OutboxDeps } from './outbox';
import type { IdGenerator, KnownPosts } from './ports';

export interface CreateCommentDeps extends OutboxDeps {
  posts: KnownPosts;
  newId: IdGenerator;
}

export interface NewComment {
  postId: string;
  authorId: string;
  /** Already validated and trimmed (see `commentText`). */
  body: string;
  correlationId: string;
}

/**
 * Stores a comment under the post's next `seq` and announces it. The counter
 * lives on the post's row in the known-posts table, so taking a number also
 * proves the post exists and is not deleted. The row is written with its
 * CommentCreated still due (the outbox), then published; if publishing fails
 * the comment is still created and the sweep announces it later.
 */
export const createComment = async (deps: CreateCommentDeps, input: NewComment): Promise<Comment> => {
  const seq = await deps.posts.takeNextSeq(input.postId);
  if (seq === undefined) throw new NotFoundError('Post not found.');
  const createdAt = deps.clock().toISOString();
  const row: CommentRow = {
    postId: input.postId,
    seq,
    id: deps.newId(),
    authorId: input.authorId,
    body: input.body,
    createdAt,
    eventId: deps.newId(),
    correlationId: input.correlationId,
    publishState: 'pending',
    outboxShard: outboxShardOf(seq),
    pendingSince: createdAt,
  };
  await deps.comments.insert(row);
  await announce(deps, row);
  return toComment(row);
};
