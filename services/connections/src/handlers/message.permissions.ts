import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** message: subscriptions (Put, Delete); the answer frame over @connections. */
export const permissions: FunctionPermissions = {
  SubscriptionsTable: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  WebsocketsApi: ['execute-api:ManageConnections'],
};
