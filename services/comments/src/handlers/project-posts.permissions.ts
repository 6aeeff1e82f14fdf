import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** projectPosts: known posts recorded and marked deleted (Update), a deleted post's comments removed (Query, BatchWriteItem); the idempotency store. */
export const permissions: FunctionPermissions = {
  KnownPostsTable: ['dynamodb:UpdateItem'],
  CommentsTable: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  IdempotencyTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};
