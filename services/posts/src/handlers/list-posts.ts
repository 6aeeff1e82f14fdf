import { httpHandler, json, limitParam } from '@live-comments/shared';
import { z } from 'zod';
import { listPosts, type PostsDeps } from '../domain/posts';
import { postsSideEffects } from '../side-effects';

const listQuery = z.object({ limit: limitParam, cursor: z.string().min(1).optional() });

export const buildListPostsHandler = (deps: Pick<PostsDeps, 'posts'>) =>
  httpHandler({ query: listQuery }, async ({ query }) => json(200, await listPosts(deps, query)));

export const handler = buildListPostsHandler(postsSideEffects());
