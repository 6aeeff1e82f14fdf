import { httpHandler, noContent } from '@live-comments/shared';
import { type FavoritesDeps, favoritePost } from '../domain/favorites';
import { postPath } from '../domain/post';
import { postsSideEffects } from '../side-effects';

export const buildFavoritePostHandler = (deps: FavoritesDeps) =>
  httpHandler({ auth: true, path: postPath }, async ({ path, userId }) => {
    await favoritePost(deps, { userId, postId: path.postId });
    return noContent();
  });

export const handler = buildFavoritePostHandler(postsSideEffects());
