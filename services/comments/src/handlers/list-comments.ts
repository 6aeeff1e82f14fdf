import { httpHandler, json, limitParam } from '@live-comments/shared';
import { z } from 'zod';
import { postIdParam } from '../domain/comment';
import { type ListCommentsDeps, listComments } from '../domain/list-comments';
import { commentsSideEffects } from '../side-effects';

/** GET /api/v1/posts/{postId}/comments?afterSeq=&limit=&cursor=: oldest first, by seq. */
export const buildListCommentsHandler = (deps: ListCommentsDeps) =>
  httpHandler(
    {
      path: z.object({ postId: postIdParam }),
      query: z.object({
        afterSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        limit: limitParam,
        cursor: z.string().min(1).optional(),
      }),
    },
    async ({ path, query }) => json(200, await listComments(deps, { postId: path.postId, ...query })),
  );

export const handler = buildListCommentsHandler(commentsSideEffects());
