import { httpHandler, json } from '@live-comments/shared';
import type { ConnectionStore } from '../adapters/connections-table';
import { connectionStore } from '../side-effects';

/** `GET /api/v1/websocket/connections`: the open-connections counter, read in one GetItem. */
export const buildCountConnectionsHandler = (
  connections: () => Pick<ConnectionStore, 'countOpen'> = connectionStore,
) => httpHandler({}, async () => json(200, { connections: await connections().countOpen() }));

export const handler = buildCountConnectionsHandler();
