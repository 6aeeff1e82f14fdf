import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** favoritePost: one transaction: the favorite (Put) and the post's favoriteCount (Update). */
export const permissions: FunctionPermissions = {
  FavoritesTable: ['dynamodb:PutItem'],
  PostsTable: ['dynamodb:UpdateItem'],
};
