import { httpHandler, json } from '@live-comments/shared';
import { postPatchBody, postPath } from '../domain/post';
import { type PostsDeps, updatePost } from '../domain/posts';
import { type PostWriteLimits, postsSideEffects } from '../side-effects';

/** PATCH /api/v1/posts/{postId}: 200 Post, 403, 404; 429 past the user's post write limit. */
export const buildUpdatePostHandler = (deps: PostsDeps & Pick<PostWriteLimits, 'postWriteLimit'>) =>
  httpHandler(
    { auth: true, rateLimit: deps.postWriteLimit, path: postPath, body: postPatchBody },
    async ({ path, body, userId, correlationId }) =>
      json(
        200,
        await updatePost(deps, { postId: path.postId, authorId: userId, changes: body, correlationId }),
      ),
  );

export const handler = buildUpdatePostHandler(postsSideEffects());
