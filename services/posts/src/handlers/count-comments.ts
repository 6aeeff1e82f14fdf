import { eventConsumer } from '@live-comments/shared';
import { type CountersDeps, commentEventContracts, countComment } from '../domain/counters';
import { type PostsSideEffects, postsSideEffects } from '../side-effects';

/** SQS consumer of CommentCreated/CommentDeleted: keeps commentCount current, once per event id. */
export const buildCountCommentsHandler = (deps: CountersDeps & Pick<PostsSideEffects, 'idempotencyTable'>) =>
  eventConsumer({
    contracts: commentEventContracts,
    idempotencyTable: () => deps.idempotencyTable,
    handle: (event) => countComment(deps, event),
  });

export const handler = buildCountCommentsHandler(postsSideEffects());
