/**
 * Set-up the posts service's tests share (tests only): posts created through
 * the domain, as the routes create them, and the comment events the counters
 * consume, built with the contracts by @live-comments/events/testing.
 */
import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import type { Post } from '../domain/post';
import { createPost } from '../domain/posts';
import { type FakeDeps, fakeDeps } from './fakes';

/** A post by alice, created as `POST /api/v1/posts` creates one: stored, announced, its slot emptied. */
export const alicePost = (
  fake: FakeDeps,
  fields: { title?: string; body?: string; correlationId?: string } = {},
): Promise<Post> =>
  createPost(fake.deps, { authorId: 'alice', title: 'T', body: 'B', correlationId: 'c', ...fields });

/** Fake side effects holding one post by alice. */
export const withPost = async (): Promise<{ fake: FakeDeps; post: Post }> => {
  const fake = fakeDeps();
  return { fake, post: await alicePost(fake) };
};

/** The body of the SQS message a rule target receives for a comment (c1 unless named, by bob) on this post. */
export const commentEventMessage = (
  detailType: 'CommentCreated' | 'CommentDeleted',
  postId: string,
  eventId = `${detailType}-1`,
  commentId = 'c1',
): string =>
  detailType === 'CommentCreated'
    ? eventBridgeMessage(
        CommentCreatedV1,
        {
          id: commentId,
          postId,
          authorId: 'bob',
          body: 'Nice',
          createdAt: '2026-01-01T10:00:00.000Z',
          seq: 1,
        },
        { eventId },
      )
    : eventBridgeMessage(
        CommentDeletedV1,
        { id: commentId, postId, authorId: 'bob', seq: 1, deletedAt: '2026-01-01T10:01:00.000Z' },
        { eventId },
      );
