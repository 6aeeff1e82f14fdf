import { httpHandler, json } from '@live-comments/shared';
import { postPath } from '../domain/post';
import { getPost, type PostsDeps } from '../domain/posts';
import { postsSideEffects } from '../side-effects';

export const buildGetPostHandler = (deps: Pick<PostsDeps, 'posts'>) =>
  httpHandler({ path: postPath }, async ({ path }) => json(200, await getPost(deps, path.postId)));

export const handler = buildGetPostHandler(postsSideEffects());
