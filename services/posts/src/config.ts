import { loadConfig, once } from '@live-comments/shared';
import { z } from 'zod';

const postsConfigSchema = z.object({
  POSTS_TABLE: z.string().min(3),
  FAVORITES_TABLE: z.string().min(3),
  IDEMPOTENCY_TABLE: z.string().min(3),
  EVENT_BUS_NAME: z.string().min(1),
  STAGE: z.string().min(1),
});

export type PostsConfig = z.infer<typeof postsConfigSchema>;

/**
 * The posts service's configuration, read on the first invocation (right after
 * cold start) so that importing a handler in a unit test needs no environment.
 */
export const postsConfig = once((): PostsConfig => loadConfig(postsConfigSchema));
