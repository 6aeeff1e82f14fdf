import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** unfavoritePost: one transaction: the favorite (Delete; alone when the post is gone) and the post's favoriteCount (Update). */
export const permissions: FunctionPermissions = {
  FavoritesTable: ['dynamodb:DeleteItem'],
  PostsTable: ['dynamodb:UpdateItem'],
};
