import { webSocketHandler } from '@live-comments/shared/websocket';
import { type DisconnectDeps, disconnectSideEffects } from '../side-effects';

/** `$disconnect`: forgets the connection and its subscriptions (best effort: TTL catches what this misses). */
export const buildDisconnectHandler = (deps: DisconnectDeps) =>
  webSocketHandler(async (request) => {
    await deps.connections.close(request.connectionId);
    return { statusCode: 200 };
  });

export const handler = buildDisconnectHandler(disconnectSideEffects());
