import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** deleteComment: the comment found by id (byId index, then Get), its tombstone (Update), CommentDeleted, the slot emptied (Update). */
export const permissions: FunctionPermissions = {
  'CommentsTable/index/byId': ['dynamodb:Query'],
  CommentsTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  EventBus: ['events:PutEvents'],
};
