import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { broadcastEvent, readFirstPages, startInvocation } from '../domain/broadcast';
import { type BroadcasterDeps, broadcasterSideEffects } from '../side-effects';

/**
 * The broadcaster: comment events from the bus (through the SQS queue), each
 * announced once per event id to the first page of subscribers of its topics;
 * further pages, and the frames it could not send in time, go on as
 * continuations on the fan-out queue. The first pages are read while the
 * event id is being recorded, not after. Every record of an invocation sends
 * at the invocation's one rate, within its remaining time.
 */
export const buildBroadcastHandler = (deps: BroadcasterDeps) => {
  let invocation = startInvocation(deps, 0);
  const consumer = eventConsumer({
    contracts: [CommentCreatedV1, CommentDeletedV1] as const,
    idempotencyTable: () => deps.idempotencyTable,
    prefetch: async (event) => readFirstPages(deps, event),
    handle: async (event, _record, prefetched) => {
      await broadcastEvent(deps, { event, invocation, firstPages: await prefetched });
    },
  });
  consumer.before(({ context }) => {
    invocation = startInvocation(deps, context.getRemainingTimeInMillis(), invocation);
  });
  return consumer;
};

export const handler = buildBroadcastHandler(broadcasterSideEffects());
