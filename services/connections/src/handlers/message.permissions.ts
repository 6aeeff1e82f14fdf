import type { FunctionPermissions } from '@live-comments/shared/permissions';

/**
 * message: subscriptions (Put, Delete) and, on the connection's item, the frame budget and the
 * subscription count (Update); the answer frame and a flooder's close over @connections.
 */
export const permissions: FunctionPermissions = {
  SubscriptionsTable: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  ConnectionsTable: ['dynamodb:UpdateItem'],
  WebsocketsApi: ['execute-api:ManageConnections'],
  'WebsocketsApi/DELETE': ['execute-api:ManageConnections'],
};
