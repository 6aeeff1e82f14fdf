import { eventConsumer } from '@live-comments/shared';
import { type CountersDeps, commentEventContracts, countComment } from '../domain/counters';
import { type PostsSideEffects, postsSideEffects } from '../side-effects';

/**
 * SQS consumer of CommentCreated/CommentDeleted: keeps commentCount exact by
 * each comment's marker, whatever the order and number of deliveries. The
 * idempotency store (24 h by event id) only spares the repeated work.
 */
export const buildCountCommentsHandler = (deps: CountersDeps & Pick<PostsSideEffects, 'idempotencyTable'>) =>
  eventConsumer({
    contracts: commentEventContracts,
    idempotencyTable: () => deps.idempotencyTable,
    handle: (event) => countComment(deps, event),
  });

export const handler = buildCountCommentsHandler(postsSideEffects());
