import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** listMyFavorites: the caller's favorites from the byFavoritedAt index, their posts in BatchGetItem. */
export const permissions: FunctionPermissions = {
  'FavoritesTable/index/byFavoritedAt': ['dynamodb:Query'],
  PostsTable: ['dynamodb:BatchGetItem'],
};
