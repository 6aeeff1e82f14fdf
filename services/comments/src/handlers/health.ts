import { httpHandler, json } from '@live-comments/shared';

/** GET /api/v1/health/comments: answers without touching any dependency, so it stays cheap. */
export const handler = httpHandler({}, async () =>
  json(200, {
    status: 'healthy',
    service: 'comments',
    environment: process.env.STAGE,
    timestamp: new Date().toISOString(),
  }),
);
