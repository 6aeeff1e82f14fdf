import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** deletePost: the tombstone (Update; a refused write is read to tell why), PostDeleted, the post's comment markers removed, then the tombstone (Delete). */
export const permissions: FunctionPermissions = {
  PostsTable: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
  CountedCommentsTable: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  EventBus: ['events:PutEvents'],
};
