import { httpHandler, noContent } from '@live-comments/shared';
import { z } from 'zod';
import { commentIdParam, postIdParam } from '../domain/comment';
import { deleteComment } from '../domain/delete-comment';
import { type SideEffects, sideEffects } from '../side-effects';

/** DELETE /api/v1/posts/{postId}/comments/{commentId}: author only; 204, 403, 404. */
export const buildHandler = (deps: () => SideEffects = sideEffects) =>
  httpHandler(
    { auth: true, path: z.object({ postId: postIdParam, commentId: commentIdParam }) },
    async ({ path, userId, correlationId }) => {
      await deleteComment(deps(), { ...path, userId, correlationId });
      return noContent();
    },
  );

export const handler = buildHandler();
