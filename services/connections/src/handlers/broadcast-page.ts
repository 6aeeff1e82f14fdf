import { sqsConsumer } from '@live-comments/shared';
import { broadcastConfig } from '../config';
import { type BroadcastDeps, broadcastPage, readPage } from '../domain/broadcast';
import { parseContinuation } from '../domain/continuation';
import { broadcastDeps } from '../side-effects';

/**
 * The continuations of large broadcasts (the fan-out queue): each message is
 * one further page of one event's subscribers on one topic, sent once per
 * page key whatever SQS redelivers, with partial batch failures.
 */
export const buildBroadcastPageHandler = (
  deps: () => BroadcastDeps = broadcastDeps,
  idempotencyTable: () => string = () => broadcastConfig().IDEMPOTENCY_TABLE,
) =>
  sqsConsumer({
    parse: parseContinuation,
    key: (continuation) => continuation.pageKey,
    correlationId: (continuation) => continuation.correlationId,
    logKeys: (continuation) => ({
      event_id: continuation.eventId,
      topic: continuation.topic,
      page: continuation.page,
    }),
    idempotencyTable,
    // The page is read while its key is being recorded, not after.
    prefetch: (continuation) => readPage(continuation.topic, continuation.cursor, deps()),
    handle: async ({ pageKey: _pageKey, ...broadcast }, _record, prefetched) => {
      await broadcastPage(broadcast, deps(), prefetched);
    },
  });

export const handler = buildBroadcastPageHandler();
