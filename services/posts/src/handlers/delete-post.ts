import { httpHandler, noContent } from '@live-comments/shared';
import { deletePost, postPath } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const deletePostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId, correlationId }) => {
    await deletePost(deps(), { postId: path.postId, authorId: userId }, correlationId);
    return noContent();
  });

export const handler = deletePostHandler();
