import { httpHandler, json } from '@live-comments/shared';

export const handler = httpHandler({}, async () =>
  json(200, {
    status: 'healthy',
    service: 'connections',
    environment: process.env.STAGE,
    timestamp: new Date().toISOString(),
  }),
);
