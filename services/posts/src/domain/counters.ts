import { CommentCreatedV1, CommentDeletedV1, type ParsedEvent } from '@live-comments/events';
import { logger } from '@live-comments/shared';
import type { PostsStore } from './ports';

/** The comment events (and versions) the counters consume. */
export const commentEventContracts = [CommentCreatedV1, CommentDeletedV1] as const;

export type CommentEvent = ParsedEvent<typeof CommentCreatedV1> | ParsedEvent<typeof CommentDeletedV1>;

export interface CountersDeps {
  posts: Pick<PostsStore, 'adjustCounter'>;
}

/**
 * Keeps a post's commentCount current from the comments service's events. The
 * consumer runs each event id once, so a plain ADD is safe. An event about a
 * post that is gone (or a decrement below zero) changes nothing and is not an
 * error: retrying could not make it apply.
 */
export const countComment = async (deps: CountersDeps, event: CommentEvent): Promise<void> => {
  const delta = event.detailType === 'CommentCreated' ? 1 : -1;
  const { postId } = event.detail.data;
  const applied = await deps.posts.adjustCounter(postId, 'commentCount', delta);
  if (!applied) {
    logger.info('Comment count left unchanged: the post is gone or the count is already 0', {
      postId,
      delta,
    });
  }
};
