import { eventConsumer } from '@live-comments/shared';
import { postsConfig } from '../config';
import { commentEventContracts, countComment } from '../domain/counters';
import { type ServiceDeps, sideEffects } from '../side-effects';

/** SQS consumer of CommentCreated/CommentDeleted: keeps commentCount current, once per event id. */
export const countCommentsHandler = (
  deps: () => Pick<ServiceDeps, 'posts'> = sideEffects,
  idempotencyTable: () => string = () => postsConfig().IDEMPOTENCY_TABLE,
) =>
  eventConsumer({
    contracts: commentEventContracts,
    idempotencyTable,
    handle: (event) => countComment(deps(), event),
  });

export const handler = countCommentsHandler();
