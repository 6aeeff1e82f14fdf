import { createHash } from 'node:crypto';
import { parseTopic, type Topic } from '@live-comments/events/websocket';
import { z } from 'zod';
import type { SubscriberCursor } from './subscription';

/** What every part of one event's broadcast to one topic carries. */
interface BroadcastOf {
  eventId: string;
  correlationId: string;
  occurredAt: string;
  /** When the broadcaster first handled the event (ISO time), kept by every continuation. */
  firstSeenAt: string;
  topic: Topic;
  /** The frame, serialized once for every subscriber of the topic. */
  frame: string;
  /** The page of subscribers this is (0 for the first), or whose unsent frames a retry carries. */
  page: number;
}

/**
 * One page of one event's broadcast to one topic. The first page is sent
 * by the broadcaster itself; each further page travels as an SQS message
 * (the continuation) carrying the cursor of the page before it.
 */
export interface PageBroadcast extends BroadcastOf {
  cursor?: SubscriberCursor;
}

/**
 * The frames of a page that an invocation could not send (throttled, failed,
 * out of time): exactly these connections, handed on for the `round`th time
 * (1 for the first).
 */
export interface RetryBroadcast extends BroadcastOf {
  connectionIds: string[];
  round: number;
}

export type TopicBroadcast = PageBroadcast | RetryBroadcast;

export const isRetry = (broadcast: TopicBroadcast): broadcast is RetryBroadcast =>
  'connectionIds' in broadcast;

const topic = z.string().transform((value, ctx): Topic => {
  const parsed = parseTopic(value);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: 'not a topic' });
    return z.NEVER;
  }
  return parsed;
});

const common = {
  pageKey: z.string(),
  eventId: z.string().min(1),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  // Absent from the messages of versions before it: then the event's occurredAt.
  firstSeenAt: z.iso.datetime().optional(),
  topic,
  frame: z.string().min(1),
};

/**
 * A continuation, as the body of a message on the fan-out queue: the next
 * page of a topic's broadcast (`cursor`), or the frames an invocation could
 * not send (`connectionIds`). `pageKey` names it for idempotency, so a
 * redelivered continuation is sent once: one event, one topic, one page; for
 * a retry, also its round and its connections.
 */
const continuationMessage = z
  .union([
    z.object({ ...common, page: z.number().int().positive(), cursor: z.record(z.string(), z.string()) }),
    z.object({
      ...common,
      page: z.number().int().nonnegative(),
      round: z.number().int().positive(),
      connectionIds: z.array(z.string().min(1)).min(1),
    }),
  ])
  .transform((message) => ({ ...message, firstSeenAt: message.firstSeenAt ?? message.occurredAt }));

export type ContinuationMessage = z.infer<typeof continuationMessage>;

/** The same connections in another order are the same retry. */
const digestOf = (connectionIds: readonly string[]): string =>
  createHash('sha256')
    .update([...connectionIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);

export const pageKeyOf = (broadcast: TopicBroadcast): string => {
  const page = `${broadcast.eventId}#${broadcast.topic}#${broadcast.page}`;
  return isRetry(broadcast) ? `${page}#retry${broadcast.round}#${digestOf(broadcast.connectionIds)}` : page;
};

/** The message that carries a continuation on the fan-out queue. */
export const continuationMessageOf = (next: TopicBroadcast): ContinuationMessage => {
  const message = {
    pageKey: pageKeyOf(next),
    eventId: next.eventId,
    correlationId: next.correlationId,
    occurredAt: next.occurredAt,
    firstSeenAt: next.firstSeenAt,
    topic: next.topic,
    frame: next.frame,
    page: next.page,
  };
  return isRetry(next)
    ? { ...message, round: next.round, connectionIds: next.connectionIds }
    : { ...message, cursor: (next.cursor ?? {}) as Record<string, string> };
};

/** The retry of a broadcast's unsent frames, for the `round`th time (its connections still to be added). */
export const retryOf = (broadcast: TopicBroadcast, round: number): Omit<RetryBroadcast, 'connectionIds'> => ({
  eventId: broadcast.eventId,
  correlationId: broadcast.correlationId,
  occurredAt: broadcast.occurredAt,
  firstSeenAt: broadcast.firstSeenAt,
  topic: broadcast.topic,
  frame: broadcast.frame,
  page: broadcast.page,
  round,
});

/** SQS takes messages of up to 256 KiB; a continuation stays a few KiB below. */
export const MAX_CONTINUATION_BYTES = 250 * 1024;

/**
 * The frames left to send, as as few retries as fit a message each (a page
 * of 1000 connection ids is some 20 KB; a large frame leaves room for fewer).
 */
export const continuationParts = (
  retry: Omit<RetryBroadcast, 'connectionIds'>,
  connectionIds: readonly string[],
  maxBytes = MAX_CONTINUATION_BYTES,
): RetryBroadcast[] => {
  // The digest in the key has the same length whatever the connections.
  const base = Buffer.byteLength(JSON.stringify(continuationMessageOf({ ...retry, connectionIds: [] })));
  const parts: RetryBroadcast[] = [];
  let part: string[] = [];
  let bytes = base;
  for (const connectionId of connectionIds) {
    const size = Buffer.byteLength(JSON.stringify(connectionId));
    if (part.length > 0 && bytes + 1 + size > maxBytes) {
      parts.push({ ...retry, connectionIds: part });
      part = [];
      bytes = base;
    }
    bytes += (part.length > 0 ? 1 : 0) + size;
    part.push(connectionId);
  }
  if (part.length > 0) parts.push({ ...retry, connectionIds: part });
  return parts;
};

/** SQS's longest delay. */
const MAX_DELAY_SECONDS = 900;
/** A retry waits 1 s, then 2, 4, ... up to a minute, and always arrives before the deadline. */
const MAX_RETRY_DELAY_SECONDS = 60;

export const retryDelaySeconds = (round: number, now: number, deadline: number): number =>
  Math.max(
    0,
    Math.min(
      MAX_RETRY_DELAY_SECONDS,
      MAX_DELAY_SECONDS,
      2 ** (round - 1),
      Math.floor((deadline - now) / 1000) - 1,
    ),
  );

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
