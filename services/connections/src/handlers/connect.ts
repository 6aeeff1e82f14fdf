import { logger } from '@live-comments/shared';
import { webSocketHandler } from '@live-comments/shared/websocket';
import { openConnection } from '../domain/open-connection';
import { type ConnectDeps, connectSideEffects } from '../side-effects';

/** `$connect`: the handshake is accepted (200) or turned away (401 bad token, 403 origin not allowed). */
export const buildConnectHandler = (deps: ConnectDeps) =>
  webSocketHandler(async (request) => {
    const outcome = await openConnection(deps, {
      connectionId: request.connectionId,
      connectedAt: request.connectedAt,
      origin: request.header('origin'),
      token: request.query('token'),
    });
    if (!outcome.accepted) {
      logger.info('Handshake refused', {
        reason: outcome.reason,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
        statusCode: outcome.status,
      });
      return { statusCode: outcome.status };
    }
    logger.info('Connection opened', { anonymous: outcome.userId === undefined });
    return { statusCode: 200 };
  });

export const handler = buildConnectHandler(connectSideEffects());
