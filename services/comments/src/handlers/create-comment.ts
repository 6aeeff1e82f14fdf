import { httpHandler, json, type RateLimiter } from '@live-comments/shared';
import { z } from 'zod';
import { commentText, MAX_REQUEST_BYTES, postIdParam } from '../domain/comment';
import { type CreateCommentDeps, createComment } from '../domain/create-comment';
import { commentsSideEffects } from '../side-effects';

/** POST /api/v1/posts/{postId}/comments {body}: 201 Comment, 404 unknown post, 429 past the user's write limit. */
export const buildCreateCommentHandler = (deps: CreateCommentDeps & { writeLimit: RateLimiter }) =>
  httpHandler(
    {
      auth: true,
      rateLimit: deps.writeLimit,
      path: z.object({ postId: postIdParam }),
      body: z.object({ body: commentText }),
      maxBodyBytes: MAX_REQUEST_BYTES,
    },
    async ({ path, body, userId, correlationId }) =>
      json(
        201,
        await createComment(deps, {
          postId: path.postId,
          authorId: userId,
          body: body.body,
          correlationId,
        }),
      ),
  );

export const handler = buildCreateCommentHandler(commentsSideEffects());
