import { httpHandler, noContent, type RateLimiter } from '@live-comments/shared';
import { z } from 'zod';
import { commentIdParam, postIdParam } from '../domain/comment';
import { type DeleteCommentDeps, deleteComment } from '../domain/delete-comment';
import { commentsSideEffects } from '../side-effects';

/** DELETE /api/v1/posts/{postId}/comments/{commentId}: author only; 204, 403, 404, 429 past the user's write limit. */
export const buildDeleteCommentHandler = (deps: DeleteCommentDeps & { writeLimit: RateLimiter }) =>
  httpHandler(
    {
      auth: true,
      rateLimit: deps.writeLimit,
      path: z.object({ postId: postIdParam, commentId: commentIdParam }),
    },
    async ({ path, userId, correlationId }) => {
      await deleteComment(deps, { ...path, userId, correlationId });
      return noContent();
    },
  );

export const handler = buildDeleteCommentHandler(commentsSideEffects());
