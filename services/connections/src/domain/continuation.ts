import { parseTopic, type Topic } from '@live-comments/events/websocket';
import { z } from 'zod';
import type { SubscriberCursor } from './subscription';

/**
 * One page of one event's broadcast to one topic. The first page is sent
 * by the broadcaster itself; each further page travels as an SQS message
 * (the continuation) carrying the cursor of the page before it.
 */
export interface TopicBroadcast {
  eventId: string;
  correlationId: string;
  occurredAt: string;
  topic: Topic;
  /** The frame, serialized once for every subscriber of the topic. */
  frame: string;
  /** 0 for the first page. */
  page: number;
  cursor?: SubscriberCursor;
}

/**
 * A continuation: the next page of a topic's broadcast, as the body of a
 * message on the fan-out queue. `pageKey` names the page for idempotency
 * (one event, one topic, one page), so a redelivered continuation is sent once.
 */
const continuationMessage = z.object({
  pageKey: z.string(),
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  topic: z.string().transform((value, ctx): Topic => {
    const topic = parseTopic(value);
    if (!topic) {
      ctx.addIssue({ code: 'custom', message: 'not a topic' });
      return z.NEVER;
    }
    return topic;
  }),
  frame: z.string().min(1),
  page: z.number().int().positive(),
  cursor: z.record(z.string(), z.string()),
});

export type ContinuationMessage = z.infer<typeof continuationMessage>;

export const pageKeyOf = (broadcast: Pick<TopicBroadcast, 'eventId' | 'topic' | 'page'>): string =>
  `${broadcast.eventId}#${broadcast.topic}#${broadcast.page}`;

/** The message that carries the next page of a broadcast on the fan-out queue. */
export const continuationMessageOf = (next: TopicBroadcast): ContinuationMessage => ({
  pageKey: pageKeyOf(next),
  eventId: next.eventId,
  correlationId: next.correlationId,
  occurredAt: next.occurredAt,
  topic: next.topic,
  frame: next.frame,
  page: next.page,
  cursor: (next.cursor ?? {}) as Record<string, string>,
});

/** A message that is not a continuation cannot become one by retrying: it goes to the DLQ. */
export class InvalidContinuationError extends Error {
  override name = 'InvalidContinuationError';
}

export const parseContinuation = (body: string): ContinuationMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidContinuationError('The message body is not JSON', { cause: error });
  }
  const result = continuationMessage.safeParse(json);
  if (!result.success) throw new InvalidContinuationError(`Invalid continuation: ${result.error.message}`);
  return result.data;
};
