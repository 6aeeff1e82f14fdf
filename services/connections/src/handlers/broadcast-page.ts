import { sqsConsumer } from '@live-comments/shared';
import { broadcastPage, readPage, startInvocation } from '../domain/broadcast';
import { parseContinuation } from '../domain/continuation';
import { type BroadcasterDeps, broadcasterSideEffects } from '../side-effects';

/**
 * The continuations of broadcasts (the fan-out queue): each message is one
 * further page of one event's subscribers on one topic, or the frames an
 * invocation could not send, sent once per page key whatever SQS
 * redelivers, with partial batch failures, at the invocation's one rate and
 * within its remaining time.
 */
export const buildBroadcastPageHandler = (deps: BroadcasterDeps) => {
  let invocation = startInvocation(deps, 0);
  const consumer = sqsConsumer({
    parse: parseContinuation,
    key: (continuation) => continuation.pageKey,
    correlationId: (continuation) => continuation.correlationId,
    logKeys: (continuation) => ({
      event_id: continuation.eventId,
      topic: continuation.topic,
      page: continuation.page,
      ...('round' in continuation ? { round: continuation.round } : {}),
    }),
    idempotencyTable: () => deps.idempotencyTable,
    // The page is read while its key is being recorded, not after.
    prefetch: (continuation) => readPage(deps, continuation),
    handle: async ({ pageKey: _pageKey, ...broadcast }, _record, prefetched) => {
      await broadcastPage(deps, { broadcast, invocation, pageRead: prefetched });
    },
  });
  consumer.before(({ context }) => {
    invocation = startInvocation(deps, context.getRemainingTimeInMillis(), invocation);
  });
  return consumer;
};

export const handler = buildBroadcastPageHandler(broadcasterSideEffects());
