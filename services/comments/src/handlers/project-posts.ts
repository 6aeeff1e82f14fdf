import { PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from '@live-comments/events';
import { eventConsumer } from '@live-comments/shared';
import { type ProjectPostsDeps, projectPostEvent } from '../domain/project-posts';
import { commentsSideEffects } from '../side-effects';

export interface ProjectPostsHandlerDeps extends ProjectPostsDeps {
  /** The Powertools idempotency store's table. */
  idempotencyTable: string;
}

/** SQS consumer of the posts service's PostCreated/PostUpdated/PostDeleted v1, once per event id. */
export const buildProjectPostsHandler = (deps: ProjectPostsHandlerDeps) =>
  eventConsumer({
    contracts: [PostCreatedV1, PostUpdatedV1, PostDeletedV1],
    idempotencyTable: () => deps.idempotencyTable,
    handle: (event) => projectPostEvent(deps, event),
  });

export const handler = buildProjectPostsHandler(commentsSideEffects());
