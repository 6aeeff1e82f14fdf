import { healthHandler } from '@live-comments/shared';

export const handler = healthHandler('comments');
