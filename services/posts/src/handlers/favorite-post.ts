import { httpHandler, noContent } from '@live-comments/shared';
import { favoritePost } from '../domain/favorites';
import { postPath } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const favoritePostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId }) => {
    await favoritePost(deps(), { userId, postId: path.postId });
    return noContent();
  });

export const handler = favoritePostHandler();
