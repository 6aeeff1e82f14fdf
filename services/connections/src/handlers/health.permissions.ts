import type { FunctionPermissions } from '@live-comments/shared/permissions';

/** health: answers from the code alone. */
export const permissions: FunctionPermissions = {};
