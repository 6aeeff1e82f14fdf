import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** broadcastPage: as broadcast, for the pages and retries of the fan-out queue. */
export const permissions: FunctionPermissions = {
  SubscriptionsTable: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  'SubscriptionsTable/index/byConnection': ['dynamodb:Query'],
  ConnectionsTable: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  WebsocketsApi: ['execute-api:ManageConnections'],
  FanOutQueue: ['sqs:SendMessage'],
  IdempotencyTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};
