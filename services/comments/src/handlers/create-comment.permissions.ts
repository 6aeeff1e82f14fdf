import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** createComment: the post's next seq (Update; a post read from the posts service recorded with Put, a deleted one told by Get); one transaction: the comment (Put) and the post's live check (ConditionCheck); CommentCreated, the outbox slot emptied (Update). */
export const permissions: FunctionPermissions = {
  KnownPostsTable: [
    'dynamodb:UpdateItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:ConditionCheckItem',
  ],
  CommentsTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  EventBus: ['events:PutEvents'],
};
