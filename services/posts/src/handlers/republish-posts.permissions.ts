import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** republishPosts: the outbox (byPendingEvent index), its events published, slots emptied (Update) or tombstones removed (Delete) with their comment markers. */
export const permissions: FunctionPermissions = {
  'PostsTable/index/byPendingEvent': ['dynamodb:Query'],
  PostsTable: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  CountedCommentsTable: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  EventBus: ['events:PutEvents'],
};
