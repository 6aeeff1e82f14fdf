import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { broadcastEvent, readFirstPages } from '../domain/broadcast';
import { type BroadcasterDeps, broadcasterSideEffects } from '../side-effects';

/**
 * The broadcaster: comment events from the bus (through the SQS queue), each
 * announced once per event id to the first page of subscribers of its topics;
 * further pages go on as continuations on the fan-out queue. The first pages
 * are read while the event id is being recorded, not after.
 */
export const buildBroadcastHandler = (deps: BroadcasterDeps) =>
  eventConsumer({
    contracts: [CommentCreatedV1, CommentDeletedV1] as const,
    idempotencyTable: () => deps.idempotencyTable,
    prefetch: async (event) => readFirstPages(deps, event),
    handle: async (event, _record, prefetched) => {
      await broadcastEvent(deps, event, await prefetched);
    },
  });

export const handler = buildBroadcastHandler(broadcasterSideEffects());
