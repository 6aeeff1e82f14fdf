import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** getPost: one post. */
export const permissions: FunctionPermissions = {
  PostsTable: ['dynamodb:GetItem'],
};
