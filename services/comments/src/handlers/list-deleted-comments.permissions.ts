import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** listDeletedComments: a post's deletions from the deletedByPost index. */
export const permissions: FunctionPermissions = {
  'CommentsTable/index/deletedByPost': ['dynamodb:Query'],
};
