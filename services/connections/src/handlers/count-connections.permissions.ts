import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** countConnections: the open count (Get). */
export const permissions: FunctionPermissions = {
  ConnectionsTable: ['dynamodb:GetItem'],
};
