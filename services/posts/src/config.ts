import { loadConfig, rateLimitSchema } from '@live-comments/shared';
import { z } from 'zod';

/** The environment serverless.yml gives every function of the posts service. */
const postsConfigSchema = z.object({
  POSTS_TABLE: z.string().min(3),
  FAVORITES_TABLE: z.string().min(3),
  COUNTED_COMMENTS_TABLE: z.string().min(3),
  IDEMPOTENCY_TABLE: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
  STAGE: z.string().min(1),
  /** The service's write-limits table (`<stage>-posts-write-limits`). */
  WRITE_LIMITS_TABLE: z.string().min(3),
  /** Post writes (create, update, delete) per user: a sustained rate per minute and a burst. */
  POST_WRITES_PER_MINUTE: rateLimitSchema.shape.perMinute,
  POST_WRITES_BURST: rateLimitSchema.shape.burst,
  /** Favorite writes (favorite, unfavorite) per user, counted apart from post writes. */
  FAVORITE_WRITES_PER_MINUTE: rateLimitSchema.shape.perMinute,
  FAVORITE_WRITES_BURST: rateLimitSchema.shape.burst,
});

export type PostsConfig = z.infer<typeof postsConfigSchema>;

/**
 * The posts service's configuration. A handler module reads it when it is
 * imported (Lambda's init phase, through `postsSideEffects()`), so a
 * misconfigured function fails at cold start with the variable named.
 */
export const loadPostsConfig = (): PostsConfig => loadConfig(postsConfigSchema);
