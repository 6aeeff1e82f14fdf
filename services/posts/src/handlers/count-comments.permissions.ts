import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** countComments: transactions of a comment's marker (Put, Update) with its post's commentCount (Update) or live-post check (ConditionCheck); the idempotency store. */
export const permissions: FunctionPermissions = {
  CountedCommentsTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  PostsTable: ['dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  IdempotencyTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};
