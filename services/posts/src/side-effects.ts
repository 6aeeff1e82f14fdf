import { randomUUID } from 'node:crypto';
import { createPublisher } from '@live-comments/events';
import { documentClient, eventBridge, once } from '@live-comments/shared';
import { buildFavoritesTable } from './adapters/favorites-table';
import { buildPostsTable } from './adapters/posts-table';
import { postsConfig } from './config';
import type { FavoritesDeps } from './domain/favorites';
import type { PostsDeps } from './domain/posts';

export type ServiceDeps = PostsDeps & FavoritesDeps;

/**
 * The real side effects of the posts service, built once per container on
 * first use. Handlers take a `() => ServiceDeps` defaulting to this; unit tests
 * pass fakes instead.
 */
export const sideEffects = once((): ServiceDeps => {
  const config = postsConfig();
  return {
    posts: buildPostsTable({ client: documentClient(), tableName: config.POSTS_TABLE }),
    favorites: buildFavoritesTable({
      client: documentClient(),
      tableName: config.FAVORITES_TABLE,
      postsTableName: config.POSTS_TABLE,
    }),
    publisher: createPublisher({ client: eventBridge(), busName: config.EVENT_BUS_NAME }),
    clock: () => new Date(),
    newId: randomUUID,
  };
});
