import { CommentCreatedV1, CommentDeletedV1, type ParsedEvent } from '@live-comments/events';
import { logger } from '@live-comments/shared';
import type { CountOutcome, UncountOutcome } from './counted-comment';
import type { CountedCommentsStore } from './ports';

/** The comment events (and versions) the counters consume. */
export const commentEventContracts = [CommentCreatedV1, CommentDeletedV1] as const;

export type CommentEvent = ParsedEvent<typeof CommentCreatedV1> | ParsedEvent<typeof CommentDeletedV1>;

export interface CountersDeps {
  countedComments: Pick<CountedCommentsStore, 'count' | 'uncount'>;
}

/** Outcomes that moved the count; the others are logged. */
const MOVED: ReadonlySet<CountOutcome | UncountOutcome> = new Set(['counted', 'uncounted']);

/**
 * Keeps a post's commentCount exact from the comments service's events, in
 * whatever order and however many times they arrive: each comment's marker
 * decides whether an event still moves the count (see `counted-comment.ts`),
 * so correctness does not rest on the consumer's idempotency window. An event
 * that changes nothing (a duplicate, a CommentCreated after its deletion, a
 * post that is gone) is not an error: retrying could not make it apply.
 */
export const countComment = async (deps: CountersDeps, event: CommentEvent): Promise<void> => {
  const { id: commentId, postId } = event.detail.data;
  const comment = { postId, commentId, eventId: event.detail.eventId };
  const outcome =
    event.detailType === 'CommentCreated'
      ? await deps.countedComments.count(comment)
      : await deps.countedComments.uncount(comment);
  if (!MOVED.has(outcome)) {
    logger.info('Comment count left unchanged', { postId, commentId, outcome });
  }
};
