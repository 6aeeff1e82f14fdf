import { logger, NotFoundError, ServiceUnavailableError } from '@live-comments/shared';
import { type Comment, type CommentRow, outboxShardOf, toComment } from './comment';
import { RETRY_AFTER_SECONDS } from './known-post';
import { announce, type OutboxDeps } from './outbox';
import type { IdGenerator, KnownPosts, PostsReader } from './ports';

export interface CreateCommentDeps extends OutboxDeps {
  posts: KnownPosts;
  postsReader: PostsReader;
  newId: IdGenerator;
}

export interface NewComment {
  postId: string;
  authorId: string;
  /** Already validated and trimmed (see `commentText`). */
  body: string;
  correlationId: string;
}

const postNotFound = () => new NotFoundError('Post not found.');

/**
 * Takes the post's next `seq`. A post the known-posts table records as
 * deleted is a 404 at once. One it lacks may have been created a moment ago,
 * its PostCreated still on the way: the posts service is asked, and a post it
 * has is recorded (unless an event got there first) before the number is
 * taken. Its 404 is ours; when it cannot answer, 503 with Retry-After, never
 * a 404 that may be false.
 */
const takeSeq = async (deps: CreateCommentDeps, input: NewComment): Promise<number> => {
  const seq = await deps.posts.takeNextSeq(input.postId);
  if (seq !== undefined) return seq;
  if (await deps.posts.isDeleted(input.postId)) throw postNotFound();
  const lookup = await deps.postsReader.find(input.postId, { correlationId: input.correlationId });
  switch (lookup.status) {
    case 'not-found':
      throw postNotFound();
    case 'unavailable':
      logger.warn('The posts service could not say whether the post exists', {
        postId: input.postId,
        reason: lookup.reason,
      });
      throw new ServiceUnavailableError(
        'The post cannot be checked right now; try again.',
        RETRY_AFTER_SECONDS,
      );
    case 'found': {
      await deps.posts.recordPostIfUnknown(lookup.post);
      logger.info('Recorded a post read from the posts service before its PostCreated', {
        postId: input.postId,
      });
      // Undefined again when a PostDeleted was recorded first: the deletion wins.
      const taken = await deps.posts.takeNextSeq(input.postId);
      if (taken === undefined) throw postNotFound();
      return taken;
    }
  }
};

/**
 * Stores a comment under the post's next `seq` and announces it. The counter
 * lives on the post's row in the known-posts table, so taking a number also
 * proves the post exists and is not deleted; the write checks it again, in
 * the same transaction, so a PostDeleted handled in between leaves no comment
 * (one stored before it is removed with the post). The row is written with
 * its CommentCreated still due (the outbox), then published; if publishing
 * fails the comment is still created and the sweep announces it later.
 */
export const createComment = async (deps: CreateCommentDeps, input: NewComment): Promise<Comment> => {
  const seq = await takeSeq(deps, input);
  const createdAt = deps.clock().toISOString();
  const row: CommentRow = {
    postId: input.postId,
    seq,
    id: deps.newId(),
    authorId: input.authorId,
    body: input.body,
    createdAt,
    eventId: deps.newId(),
    correlationId: input.correlationId,
    publishState: 'pending',
    outboxShard: outboxShardOf(seq),
    pendingSince: createdAt,
  };
  // The post may have been deleted since its number was taken: then nothing is stored (a gap in seq).
  if ((await deps.comments.insert(row)) === 'no-post') throw postNotFound();
  await announce(deps, row);
  return toComment(row);
};
