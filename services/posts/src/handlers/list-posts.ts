import { httpHandler, json, limitParam } from '@live-comments/shared';
import { z } from 'zod';
import { listPosts } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

const listQuery = z.object({ limit: limitParam, cursor: z.string().min(1).optional() });

export const listPostsHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ query: listQuery }, async ({ query }) => json(200, await listPosts(deps(), query)));

export const handler = listPostsHandler();
