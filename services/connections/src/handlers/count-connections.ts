import { httpHandler, json } from '@live-comments/shared';
import { type CountConnectionsDeps, countConnectionsSideEffects } from '../side-effects';

/** `GET /api/v1/websocket/connections`: the open-connections counter, read in one GetItem. */
export const buildCountConnectionsHandler = (deps: CountConnectionsDeps) =>
  httpHandler({}, async () => json(200, { connections: await deps.connections.countOpen() }));

export const handler = buildCountConnectionsHandler(countConnectionsSideEffects());
