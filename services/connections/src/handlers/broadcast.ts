import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { type BroadcastDeps, broadcastEvent } from '../broadcast/broadcast';
import { broadcastConfig } from '../config';
import { broadcastDeps } from '../side-effects';

/**
 * The broadcaster: comment events from the bus (through the SQS queue), each
 * announced once per event id to the first page of subscribers of its topics;
 * further pages go on as continuations on the fan-out queue.
 */
export const buildBroadcastHandler = (
  deps: () => BroadcastDeps = broadcastDeps,
  idempotencyTable: () => string = () => broadcastConfig().IDEMPOTENCY_TABLE,
) =>
  eventConsumer({
    contracts: [CommentCreatedV1, CommentDeletedV1] as const,
    idempotencyTable,
    handle: async (event) => {
      await broadcastEvent(event, deps());
    },
  });

export const handler = buildBroadcastHandler();
