import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** connect: the connection (Put) and the open count (Update). */
export const permissions: FunctionPermissions = {
  ConnectionsTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
};
