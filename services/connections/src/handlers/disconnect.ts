import { webSocketHandler } from '@live-comments/shared/websocket';
import type { ConnectionStore } from '../adapters/connections-table';
import { connectionStore } from '../side-effects';

/** `$disconnect`: forgets the connection and its subscriptions (best effort: TTL catches what this misses). */
export const buildDisconnectHandler = (connections: () => Pick<ConnectionStore, 'close'> = connectionStore) =>
  webSocketHandler(async (request) => {
    await connections().close(request.connectionId);
    return { statusCode: 200 };
  });

export const handler = buildDisconnectHandler();
