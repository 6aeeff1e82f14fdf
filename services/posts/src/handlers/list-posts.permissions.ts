import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** listPosts: live posts newest first, from the byCreatedAt index. */
export const permissions: FunctionPermissions = {
  'PostsTable/index/byCreatedAt': ['dynamodb:Query'],
};
