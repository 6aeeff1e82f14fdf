import { httpHandler, json } from '@live-comments/shared';
import type { Clock } from '../domain/ports';
import { commentsSideEffects } from '../side-effects';

export interface HealthDeps {
  stage: string;
  clock: Clock;
}

/** GET /api/v1/health/comments: answers without touching any dependency, so it stays cheap. */
export const buildHealthHandler = (deps: HealthDeps) =>
  httpHandler({}, async () =>
    json(200, {
      status: 'healthy',
      service: 'comments',
      environment: deps.stage,
      timestamp: deps.clock().toISOString(),
    }),
  );

export const handler = buildHealthHandler(commentsSideEffects());
