import { z } from 'zod';
import { loadConfig } from './config';
import { httpHandler, json } from './http';

const healthConfig = z.object({ STAGE: z.string().min(1) });

/**
 * `GET /api/v1/health/<service>`, the same in every service: API.md's Health,
 * answered without touching any dependency so it stays cheap. The stage is
 * read at import, so a function without one fails at cold start.
 */
export const healthHandler = (
  service: string,
  {
    stage = loadConfig(healthConfig).STAGE,
    clock = () => new Date(),
  }: { stage?: string; clock?: () => Date } = {},
) =>
  httpHandler({}, async () =>
    json(200, { status: 'healthy', service, environment: stage, timestamp: clock().toISOString() }),
  );
