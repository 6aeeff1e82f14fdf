import {
  errorFrame,
  parseTopic,
  pongFrame,
  type ReplyFrame,
  subscribedFrame,
  unsubscribedFrame,
} from '@live-comments/events/websocket';
import { connectionExpiresAt } from './lifetime';
import type { SubscriptionStore } from './ports';

/** A frame as the gateway hands it over, with the connection it came on. */
export interface ReceivedFrame {
  connectionId: string;
  /** When the connection opened (epoch ms): its subscriptions expire with it. */
  connectedAt: number;
  /** The frame's text; undefined for a binary frame. */
  body: string | undefined;
  /**
   * When the gateway received it (epoch ms, API Gateway's `requestTimeEpoch`):
   * the frame budget counts frames as the client sent them, one clock for
   * every container, however long they queued before a function ran.
   */
  receivedAt?: number;
}

export interface AnswerFrameDeps {
  subscriptions: Pick<SubscriptionStore, 'subscribe' | 'unsubscribe'>;
  /** Subscriptions one connection may hold; a subscribe beyond is answered `subscription_limit`. */
  maxSubscriptions: number;
  now: () => Date;
  /** Told when the store failed; the client gets an `internal_error` frame and may retry. */
  onStoreError?: (error: unknown) => void;
}

const MAX_REQUEST_ID_LENGTH = 128;

const parseJsonObject = (body: string | undefined): Record<string, unknown> | undefined => {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** The frame's requestId when it has a valid one, for answers that do not read the rest of it. */
export const requestIdOf = (body: string | undefined): string | undefined => {
  const requestId = parseJsonObject(body)?.requestId;
  return typeof requestId === 'string' && requestId.length <= MAX_REQUEST_ID_LENGTH ? requestId : undefined;
};

/**
 * Answers one client frame (`subscribe`, `unsubscribe`, `ping`, or anything
 * else): the store changes it asks for, and the reply frame for the caller,
 * which echoes the frame's requestId. Bad frames get an error frame, never an
 * exception, so the connection stays open.
 */
export const answerFrame = async (deps: AnswerFrameDeps, frame: ReceivedFrame): Promise<ReplyFrame> => {
  const message = parseJsonObject(frame.body);
  if (!message) return errorFrame('invalid_frame', 'Frames are JSON objects, sent as text.');

  const rawRequestId = message.requestId;
  if (
    rawRequestId !== undefined &&
    (typeof rawRequestId !== 'string' || rawRequestId.length > MAX_REQUEST_ID_LENGTH)
  ) {
    return errorFrame(
      'invalid_frame',
      `requestId must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters.`,
    );
  }
  const requestId = rawRequestId;

  switch (message.action) {
    case 'ping':
      return pongFrame(requestId);

    case 'subscribe':
    case 'unsubscribe': {
      const topic = parseTopic(message.topic);
      if (!topic) {
        return errorFrame('invalid_topic', 'topic must be "feed" or "post:<postId>".', requestId);
      }
      try {
        if (message.action === 'subscribe') {
          const subscribedAt = deps.now().toISOString();
          const outcome = await deps.subscriptions.subscribe(
            {
              topic,
              connectionId: frame.connectionId,
              subscribedAt,
              expiresAt: connectionExpiresAt(frame.connectedAt),
            },
            deps.maxSubscriptions,
          );
          if (outcome === 'limit_reached') {
            return errorFrame(
              'subscription_limit',
              `A connection may hold at most ${deps.maxSubscriptions} subscriptions; unsubscribe from one first.`,
              requestId,
            );
          }
          // `at`: from when on this connection gets the topic's frames, on the server's
          // clock; a client reads what it missed before it (deleted comments) from there.
          return subscribedFrame(topic, subscribedAt, requestId);
        }
        await deps.subscriptions.unsubscribe(topic, frame.connectionId);
        return unsubscribedFrame(topic, requestId);
      } catch (error) {
        deps.onStoreError?.(error);
        return errorFrame('internal_error', 'The request could not be done; try again.', requestId);
      }
    }

    default:
      return errorFrame(
        'unknown_action',
        'action must be one of "subscribe", "unsubscribe", "ping".',
        requestId,
      );
  }
};
