import { httpHandler, json } from '@live-comments/shared';
import { z } from 'zod';
import { instantParam, postIdParam } from '../domain/comment';
import { type ListDeletedCommentsDeps, listDeletedComments } from '../domain/list-deleted-comments';
import { commentsSideEffects } from '../side-effects';

/** GET /api/v1/posts/{postId}/comments/deleted?since=&limit=&cursor=: deletions after `since`, oldest first. */
export const buildListDeletedCommentsHandler = (deps: ListDeletedCommentsDeps) =>
  httpHandler(
    {
      path: z.object({ postId: postIdParam }),
      query: z.object({
        since: instantParam,
        // 50 by default, not the lists' 20: a reconnecting client wants them all in few reads.
        limit: z.coerce.number().int().min(1).max(100).default(50),
        cursor: z.string().min(1).optional(),
      }),
    },
    async ({ path, query }) => json(200, await listDeletedComments(deps, { postId: path.postId, ...query })),
  );

export const handler = buildListDeletedCommentsHandler(commentsSideEffects());
