import { loadConfig, once } from '@live-comments/shared';
import { z } from 'zod';

/** The environment serverless.yml gives every function of the comments service. */
export const configSchema = z.object({
  STAGE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  COMMENTS_TABLE: z.string().min(1),
  KNOWN_POSTS_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
});

export type Config = z.infer<typeof configSchema>;

export const config = once(() => loadConfig(configSchema));
