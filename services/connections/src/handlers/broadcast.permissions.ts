import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** broadcast: a topic's subscribers (Query), frames over @connections, closed connections pruned as $disconnect does, continuations on the fan-out queue; the idempotency store. */
export const permissions: FunctionPermissions = {
  SubscriptionsTable: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  'SubscriptionsTable/index/byConnection': ['dynamodb:Query'],
  ConnectionsTable: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  WebsocketsApi: ['execute-api:ManageConnections'],
  FanOutQueue: ['sqs:SendMessage'],
  IdempotencyTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};
