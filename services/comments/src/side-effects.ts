import { randomUUID } from 'node:crypto';
import { createPublisher } from '@live-comments/events';
import { documentClient, eventBridge, once } from '@live-comments/shared';
import { buildCommentsTable } from './adapters/comments-table';
import { buildKnownPostsTable } from './adapters/known-posts-table';
import { config } from './config';
import type { Clock, CommentPublisher, Comments, IdGenerator, KnownPosts } from './domain/ports';

/** Everything the comments service's domain touches outside itself; tests pass fakes instead. */
export interface SideEffects {
  posts: KnownPosts;
  comments: Comments;
  publisher: CommentPublisher;
  clock: Clock;
  newId: IdGenerator;
}

/** Built once per container, on first use (so importing a handler needs no environment). */
export const sideEffects = once((): SideEffects => {
  const { COMMENTS_TABLE, KNOWN_POSTS_TABLE, EVENT_BUS_NAME } = config();
  return {
    posts: buildKnownPostsTable({ client: documentClient(), tableName: KNOWN_POSTS_TABLE }),
    comments: buildCommentsTable({ client: documentClient(), tableName: COMMENTS_TABLE }),
    publisher: createPublisher({ client: eventBridge(), busName: EVENT_BUS_NAME }),
    clock: () => new Date(),
    newId: randomUUID,
  };
});
