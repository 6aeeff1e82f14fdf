import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** republishComments: the outbox (unpublished index), its events published, slots emptied (Update). */
export const permissions: FunctionPermissions = {
  'CommentsTable/index/unpublished': ['dynamodb:Query'],
  CommentsTable: ['dynamodb:UpdateItem'],
  EventBus: ['events:PutEvents'],
};
