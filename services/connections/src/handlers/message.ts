import { logger } from '@live-comments/shared';
import { webSocketHandler } from '@live-comments/shared/websocket';
import type { FrameSender } from '../adapters/frame-sender';
import { type AnswerFrameDeps, answerFrame } from '../domain/answer-frame';
import { replySender, subscriptionStore } from '../side-effects';

export interface MessageDeps extends AnswerFrameDeps {
  reply: FrameSender;
}

const productionDeps = (): MessageDeps => ({
  subscriptions: subscriptionStore(),
  now: () => new Date(),
  onStoreError: (error) => logger.error('Subscription store failed', error as Error),
  reply: replySender(),
});

/**
 * Client frames: the `subscribe`, `unsubscribe`, `ping` and `$default` routes.
 * The answer goes back to the caller over `@connections`; the route itself
 * always succeeds, so a bad frame never closes the connection.
 */
export const buildMessageHandler = (deps: () => MessageDeps = productionDeps) =>
  webSocketHandler(async (request) => {
    const { reply, ...answerDeps } = deps();
    const answer = await answerFrame(
      { connectionId: request.connectionId, connectedAt: request.connectedAt, body: request.body },
      answerDeps,
    );
    if (answer.type === 'error') logger.info('Frame refused', { code: answer.code });
    await reply(request.connectionId, JSON.stringify(answer));
    return { statusCode: 200 };
  });

export const handler = buildMessageHandler();
