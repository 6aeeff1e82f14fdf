import { randomUUID } from 'node:crypto';
import { createPublisher } from '@live-comments/events';
import { documentClient, eventBridge, once } from '@live-comments/shared';
import { buildCountedCommentsTable } from './adapters/counted-comments-table';
import { buildFavoritesTable } from './adapters/favorites-table';
import { buildPostsTable } from './adapters/posts-table';
import { loadPostsConfig } from './config';
import type { CountersDeps } from './domain/counters';
import type { FavoritesDeps } from './domain/favorites';
import type { PostsDeps } from './domain/posts';

/** What the posts service's handlers take: the domain's ports, and the names of the stage. */
export type PostsSideEffects = PostsDeps &
  FavoritesDeps &
  CountersDeps & {
    /** The Powertools idempotency store of the comment-events consumer. */
    idempotencyTable: string;
    /** The stage the health check reports. */
    stage: string;
  };

/**
 * The real side effects of the posts service, and with them its configuration,
 * built once per container when a handler module is imported (Lambda's init
 * phase). Unit tests pass fakes to the handler factories instead.
 */
export const postsSideEffects = once((): PostsSideEffects => {
  const config = loadPostsConfig();
  return {
    posts: buildPostsTable({ client: documentClient(), tableName: config.POSTS_TABLE }),
    favorites: buildFavoritesTable({
      client: documentClient(),
      tableName: config.FAVORITES_TABLE,
      postsTableName: config.POSTS_TABLE,
    }),
    countedComments: buildCountedCommentsTable({
      client: documentClient(),
      tableName: config.COUNTED_COMMENTS_TABLE,
      postsTableName: config.POSTS_TABLE,
    }),
    publisher: createPublisher({ client: eventBridge(), busName: config.EVENT_BUS_NAME }),
    clock: () => new Date(),
    newId: randomUUID,
    idempotencyTable: config.IDEMPOTENCY_TABLE,
    stage: config.STAGE,
  };
});
