import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** sweepConnections: stale connections from the byConnectedHour index, each closed as $disconnect does. */
export const permissions: FunctionPermissions = {
  'ConnectionsTable/index/byConnectedHour': ['dynamodb:Query'],
  ConnectionsTable: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  'SubscriptionsTable/index/byConnection': ['dynamodb:Query'],
  SubscriptionsTable: ['dynamodb:BatchWriteItem'],
};
