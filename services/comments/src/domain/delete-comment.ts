import { ForbiddenError, NotFoundError } from '@live-comments/shared';
import { announce, type OutboxDeps } from './outbox';
import type { IdGenerator } from './ports';

export interface DeleteCommentDeps extends OutboxDeps {
  newId: IdGenerator;
}

export interface CommentDeletion {
  postId: string;
  commentId: string;
  userId: string;
  correlationId: string;
}

/**
 * Deletes a comment on behalf of its author. The row first becomes a
 * tombstone that owes CommentDeleted (so the deletion is announced even if the
 * process dies here), then the event is published and the tombstone settled
 * (kept a week without its body, for clients that missed the event). A
 * comment already deleted, or not under this post, is a 404.
 */
export const deleteComment = async (deps: DeleteCommentDeps, input: CommentDeletion): Promise<void> => {
  const row = await deps.comments.findById(input.commentId);
  if (!row || row.postId !== input.postId || row.deletedAt) throw new NotFoundError('Comment not found.');
  if (row.authorId !== input.userId) throw new ForbiddenError('Only the author can delete this comment.');
  const tombstone = await deps.comments.markDeleted(row, {
    deletedAt: deps.clock().toISOString(),
    deleteEventId: deps.newId(),
    deleteCorrelationId: input.correlationId,
  });
  if (!tombstone) throw new NotFoundError('Comment not found.');
  await announce(deps, tombstone);
};
