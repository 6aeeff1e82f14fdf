import { sqsConsumer } from '@live-comments/shared';
import { broadcastPage, readPage } from '../domain/broadcast';
import { parseContinuation } from '../domain/continuation';
import { type BroadcasterDeps, broadcasterSideEffects } from '../side-effects';

/**
 * The continuations of large broadcasts (the fan-out queue): each message is
 * one further page of one event's subscribers on one topic, sent once per
 * page key whatever SQS redelivers, with partial batch failures.
 */
export const buildBroadcastPageHandler = (deps: BroadcasterDeps) =>
  sqsConsumer({
    parse: parseContinuation,
    key: (continuation) => continuation.pageKey,
    correlationId: (continuation) => continuation.correlationId,
    logKeys: (continuation) => ({
      event_id: continuation.eventId,
      topic: continuation.topic,
      page: continuation.page,
    }),
    idempotencyTable: () => deps.idempotencyTable,
    // The page is read while its key is being recorded, not after.
    prefetch: (continuation) => readPage(deps, continuation),
    handle: async ({ pageKey: _pageKey, ...broadcast }, _record, prefetched) => {
      await broadcastPage(deps, broadcast, prefetched);
    },
  });

export const handler = buildBroadcastPageHandler(broadcasterSideEffects());
