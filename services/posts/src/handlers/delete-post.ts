import { httpHandler, noContent } from '@live-comments/shared';
import { postPath } from '../domain/post';
import { deletePost, type PostsDeps } from '../domain/posts';
import { postsSideEffects } from '../side-effects';

export const buildDeletePostHandler = (deps: PostsDeps) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId, correlationId }) => {
    await deletePost(deps, { postId: path.postId, authorId: userId, correlationId });
    return noContent();
  });

export const handler = buildDeletePostHandler(postsSideEffects());
