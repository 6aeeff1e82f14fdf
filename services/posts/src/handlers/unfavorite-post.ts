import { httpHandler, noContent } from '@live-comments/shared';
import { unfavoritePost } from '../domain/favorites';
import { postPath } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const unfavoritePostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId }) => {
    await unfavoritePost(deps(), { userId, postId: path.postId });
    return noContent();
  });

export const handler = unfavoritePostHandler();
