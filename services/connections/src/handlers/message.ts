import { logger } from '@live-comments/shared';
import { webSocketHandler } from '@live-comments/shared/websocket';
import { answerFrame } from '../domain/answer-frame';
import { type MessageDeps, messageSideEffects } from '../side-effects';

/**
 * Client frames: the `subscribe`, `unsubscribe`, `ping` and `$default` routes.
 * The answer goes back to the caller over `@connections`; the route itself
 * always succeeds, so a bad frame never closes the connection.
 */
export const buildMessageHandler = (deps: MessageDeps) =>
  webSocketHandler(async (request) => {
    const answer = await answerFrame(deps, {
      connectionId: request.connectionId,
      connectedAt: request.connectedAt,
      body: request.body,
    });
    if (answer.type === 'error') logger.info('Frame refused', { code: answer.code });
    await deps.reply(request.connectionId, JSON.stringify(answer));
    return { statusCode: 200 };
  });

export const handler = buildMessageHandler(messageSideEffects());
