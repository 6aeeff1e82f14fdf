import { httpHandler, json } from '@live-comments/shared';
import { type PostsSideEffects, postsSideEffects } from '../side-effects';

export const buildHealthHandler = (deps: Pick<PostsSideEffects, 'stage' | 'clock'>) =>
  httpHandler({}, async () =>
    json(200, {
      status: 'healthy',
      service: 'posts',
      environment: deps.stage,
      timestamp: deps.clock().toISOString(),
    }),
  );

export const handler = buildHealthHandler(postsSideEffects());
