import { loadConfig, rateLimitSchema } from '@live-comments/shared';
import { z } from 'zod';

/** The environment serverless.yml gives every function of the comments service. */
export const configSchema = z.object({
  STAGE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  COMMENTS_TABLE: z.string().min(1),
  KNOWN_POSTS_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  /**
   * The stage's HTTP API of the posts service (its `HttpApiUrl`), read when a
   * post is not yet in the known-posts table.
   */
  POSTS_API_URL: z.url({ protocol: /^https?$/ }),
  /** The service's write-limits table (`<stage>-comments-write-limits`). */
  WRITE_LIMITS_TABLE: z.string().min(1),
  /** Comment writes (create, delete) per user: a sustained rate per minute and a burst (the stage's params). */
  COMMENT_WRITES_PER_MINUTE: rateLimitSchema.shape.perMinute,
  COMMENT_WRITES_BURST: rateLimitSchema.shape.burst,
});

export type CommentsConfig = z.infer<typeof configSchema>;

/**
 * The comments service's configuration. Called once, when a handler module is
 * imported (Lambda's init phase, through `commentsSideEffects`), so a
 * misconfigured function fails at cold start naming the variable.
 */
export const loadCommentsConfig = (): CommentsConfig => loadConfig(configSchema);
