import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** listComments: a post's comments in seq order (Query) and whether the post is deleted (Get). */
export const permissions: FunctionPermissions = {
  CommentsTable: ['dynamodb:Query'],
  KnownPostsTable: ['dynamodb:GetItem'],
};
