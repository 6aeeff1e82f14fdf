import { logger } from '@live-comments/shared';
import { webSocketHandler } from '@live-comments/shared/websocket';
import { receiveFrame } from '../domain/receive-frame';
import { type MessageDeps, messageSideEffects } from '../side-effects';

/**
 * Client frames: the `subscribe`, `unsubscribe`, `ping` and `$default` routes.
 * The answer goes back to the caller over `@connections`; the route itself
 * always succeeds, so a bad frame never closes the connection. A connection
 * that keeps flooding gets its last frame and is closed.
 */
export const buildMessageHandler = (deps: MessageDeps) =>
  webSocketHandler(async (request) => {
    const { reply, close } = await receiveFrame(deps, {
      connectionId: request.connectionId,
      connectedAt: request.connectedAt,
      body: request.body,
      receivedAt: request.event.requestContext.requestTimeEpoch,
    });
    if (reply.type === 'error') logger.info('Frame refused', { code: reply.code });
    await deps.reply(request.connectionId, JSON.stringify(reply));
    if (close) {
      logger.warn('Flooding connection closed', { connectionId: request.connectionId });
      await deps.disconnect(request.connectionId);
    }
    return { statusCode: 200 };
  });

export const handler = buildMessageHandler(messageSideEffects());
