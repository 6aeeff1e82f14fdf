import { PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { config } from '../config';
import { projectPostEvent } from '../domain/project-posts';
import { type SideEffects, sideEffects } from '../side-effects';

/** SQS consumer of the posts service's PostCreated/PostUpdated/PostDeleted v1, once per event id. */
export const buildHandler = (deps: () => SideEffects = sideEffects) =>
  eventConsumer({
    contracts: [PostCreatedV1, PostUpdatedV1, PostDeletedV1],
    idempotencyTable: () => config().IDEMPOTENCY_TABLE,
    handle: (event) => projectPostEvent(deps(), event),
  });

export const handler = buildHandler();
