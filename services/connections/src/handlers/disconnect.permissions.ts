import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** disconnect: the connection (Delete), the open count (Update), its subscriptions (byConnection index, BatchWriteItem). */
export const permissions: FunctionPermissions = {
  ConnectionsTable: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  'SubscriptionsTable/index/byConnection': ['dynamodb:Query'],
  SubscriptionsTable: ['dynamodb:BatchWriteItem'],
};
