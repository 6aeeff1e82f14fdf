import { httpHandler, json } from '@live-comments/shared';
import { getPost, postPath } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const getPostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ path: postPath }, async ({ path }) => json(200, await getPost(deps(), path.postId)));

export const handler = getPostHandler();
