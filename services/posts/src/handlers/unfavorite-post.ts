import { httpHandler, noContent } from '@live-comments/shared';
import { type FavoritesDeps, unfavoritePost } from '../domain/favorites';
import { postPath } from '../domain/post';
import { postsSideEffects } from '../side-effects';

export const buildUnfavoritePostHandler = (deps: FavoritesDeps) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId }) => {
    await unfavoritePost(deps, { userId, postId: path.postId });
    return noContent();
  });

export const handler = buildUnfavoritePostHandler(postsSideEffects());
