import type { FunctionPermissions } from '@live-comments/shared/permissions';

/**
 * closeExpired: expired tokens from the byTokenExpiry index, each sent its token_expired
 * frame and closed over @connections, its record closed as $disconnect does.
 */
export const permissions: FunctionPermissions = {
  'ConnectionsTable/index/byTokenExpiry': ['dynamodb:Query'],
  ConnectionsTable: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  'SubscriptionsTable/index/byConnection': ['dynamodb:Query'],
  SubscriptionsTable: ['dynamodb:BatchWriteItem'],
  WebsocketsApi: ['execute-api:ManageConnections'],
  'WebsocketsApi/DELETE': ['execute-api:ManageConnections'],
};
