import { httpHandler, noContent } from '@live-comments/shared';
import { postPath } from '../domain/post';
import { deletePost, type PostsDeps } from '../domain/posts';
import { type PostWriteLimits, postsSideEffects } from '../side-effects';

/** DELETE /api/v1/posts/{postId}: 204, 403, 404; 429 past the user's post write limit. */
export const buildDeletePostHandler = (deps: PostsDeps & Pick<PostWriteLimits, 'postWriteLimit'>) =>
  httpHandler(
    { auth: true, rateLimit: deps.postWriteLimit, path: postPath },
    async ({ path, userId, correlationId }) => {
      await deletePost(deps, { postId: path.postId, authorId: userId, correlationId });
      return noContent();
    },
  );

export const handler = buildDeletePostHandler(postsSideEffects());
