import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { broadcastConfig } from '../config';
import { type BroadcastDeps, broadcastEvent, readFirstPages } from '../domain/broadcast';
import { broadcastDeps } from '../side-effects';

/**
 * The broadcaster: comment events from the bus (through the SQS queue), each
 * announced once per event id to the first page of subscribers of its topics;
 * further pages go on as continuations on the fan-out queue. The first pages
 * are read while the event id is being recorded, not after.
 */
export const buildBroadcastHandler = (
  deps: () => BroadcastDeps = broadcastDeps,
  idempotencyTable: () => string = () => broadcastConfig().IDEMPOTENCY_TABLE,
) =>
  eventConsumer({
    contracts: [CommentCreatedV1, CommentDeletedV1] as const,
    idempotencyTable,
    prefetch: async (event) => readFirstPages(event, deps()),
    handle: async (event, _record, prefetched) => {
      await broadcastEvent(event, deps(), await prefetched);
    },
  });

export const handler = buildBroadcastHandler();
