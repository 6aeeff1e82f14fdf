import { randomUUID } from 'node:crypto';
import { createPublisher } from '@live-comments/events';
import {
  buildDynamoRateLimiter,
  documentClient,
  eventBridge,
  once,
  type RateLimiter,
} from '@live-comments/shared';
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
  } & PostWriteLimits;

/**
 * Each user's allowances, in the service's write-limits table: post writes
 * (create, update, delete) and favorite writes (favorite, unfavorite) apart,
 * so that favoriting a page of posts never keeps anyone from writing one.
 */
export interface PostWriteLimits {
  postWriteLimit: RateLimiter;
  favoriteWriteLimit: RateLimiter;
}

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
    postWriteLimit: buildDynamoRateLimiter({
      client: documentClient(),
      tableName: config.WRITE_LIMITS_TABLE,
      limit: { perMinute: config.POST_WRITES_PER_MINUTE, burst: config.POST_WRITES_BURST },
      scope: 'posts',
    }),
    favoriteWriteLimit: buildDynamoRateLimiter({
      client: documentClient(),
      tableName: config.WRITE_LIMITS_TABLE,
      limit: { perMinute: config.FAVORITE_WRITES_PER_MINUTE, burst: config.FAVORITE_WRITES_BURST },
      scope: 'favorites',
    }),
  };
});
