import type { ParsedEvent, PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from '@live-comments/events';
import { logger } from '@live-comments/shared';
import type { Comments, KnownPosts } from './ports';

export type PostEvent = ParsedEvent<typeof PostCreatedV1 | typeof PostUpdatedV1 | typeof PostDeletedV1>;

export interface ProjectPostsDeps {
  posts: KnownPosts;
  comments: Comments;
}

/**
 * Keeps the known-posts table in step with the posts service. Every step is
 * safe to repeat (the consumer also deduplicates by event id) and to receive
 * out of order: a stale update changes nothing, and a deletion is final.
 *
 * When a post is deleted its comments are removed with it, without a
 * CommentDeleted each: the post and everything about it is gone at once, and
 * PostDeleted already tells every consumer so.
 */
export const projectPostEvent = async (deps: ProjectPostsDeps, event: PostEvent): Promise<void> => {
  switch (event.detailType) {
    case 'PostCreated':
    case 'PostUpdated': {
      const { id, authorId, createdAt, updatedAt } = event.detail.data;
      await deps.posts.recordPost({ id, authorId, createdAt, updatedAt });
      return;
    }
    case 'PostDeleted': {
      await deps.posts.markPostDeleted(event.detail.data);
      const removed = await deps.comments.removeAllOf(event.detail.data.id);
      logger.info('Removed the comments of a deleted post', { postId: event.detail.data.id, removed });
      return;
    }
  }
};
