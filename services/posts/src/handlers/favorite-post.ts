import { httpHandler, noContent } from '@live-comments/shared';
import { type FavoritesDeps, favoritePost } from '../domain/favorites';
import { postPath } from '../domain/post';
import { type PostWriteLimits, postsSideEffects } from '../side-effects';

/** PUT /api/v1/posts/{postId}/favorite: 204; 429 past the user's favorite write limit. */
export const buildFavoritePostHandler = (deps: FavoritesDeps & Pick<PostWriteLimits, 'favoriteWriteLimit'>) =>
  httpHandler(
    { auth: true, rateLimit: deps.favoriteWriteLimit, path: postPath },
    async ({ path, userId }) => {
      await favoritePost(deps, { userId, postId: path.postId });
      return noContent();
    },
  );

export const handler = buildFavoritePostHandler(postsSideEffects());
