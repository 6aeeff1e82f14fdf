import { randomUUID } from 'node:crypto';
import { createPublisher } from '@live-comments/events';
import {
  buildDynamoRateLimiter,
  documentClient,
  eventBridge,
  once,
  type RateLimiter,
} from '@live-comments/shared';
import { buildCommentsTable } from './adapters/comments-table';
import { buildKnownPostsTable } from './adapters/known-posts-table';
import { buildPostsApi } from './adapters/posts-api';
import { loadCommentsConfig } from './config';
import type { Clock, CommentPublisher, Comments, IdGenerator, KnownPosts, PostsReader } from './domain/ports';

/** Everything the comments service's handlers touch outside themselves; tests pass fakes instead. */
export interface CommentsDeps {
  posts: KnownPosts;
  /** The posts service's public route, for posts the known-posts table does not have yet. */
  postsReader: PostsReader;
  comments: Comments;
  publisher: CommentPublisher;
  clock: Clock;
  newId: IdGenerator;
  /** The stage the function runs in (`STAGE`), as the health check reports it. */
  stage: string;
  /** The Powertools idempotency store's table, where `projectPosts` remembers the event ids it handled. */
  idempotencyTable: string;
  /** Each user's allowance of comment writes (create and delete share it). */
  writeLimit: RateLimiter;
}

/**
 * The real side effects, wired from the environment. Every handler module
 * calls this at import (Lambda's init phase), so a missing variable fails the
 * cold start with its name; built once per container.
 */
export const commentsSideEffects = once((): CommentsDeps => {
  const config = loadCommentsConfig();
  const { STAGE, COMMENTS_TABLE, KNOWN_POSTS_TABLE, EVENT_BUS_NAME, IDEMPOTENCY_TABLE, POSTS_API_URL } =
    config;
  return {
    posts: buildKnownPostsTable({ client: documentClient(), tableName: KNOWN_POSTS_TABLE }),
    postsReader: buildPostsApi({ baseUrl: POSTS_API_URL }),
    comments: buildCommentsTable({
      client: documentClient(),
      tableName: COMMENTS_TABLE,
      knownPostsTableName: KNOWN_POSTS_TABLE,
    }),
    publisher: createPublisher({ client: eventBridge(), busName: EVENT_BUS_NAME }),
    clock: () => new Date(),
    newId: randomUUID,
    stage: STAGE,
    idempotencyTable: IDEMPOTENCY_TABLE,
    writeLimit: buildDynamoRateLimiter({
      client: documentClient(),
      tableName: config.WRITE_LIMITS_TABLE,
      limit: { perMinute: config.COMMENT_WRITES_PER_MINUTE, burst: config.COMMENT_WRITES_BURST },
      scope: 'comments',
    }),
  };
});
