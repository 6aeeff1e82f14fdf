import { httpHandler, json } from '@live-comments/shared';
import { postPatchBody, postPath, updatePost } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const updatePostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler(
    { auth: true, path: postPath, body: postPatchBody },
    async ({ path, body, userId, correlationId }) =>
      json(
        200,
        await updatePost(deps(), { postId: path.postId, authorId: userId, changes: body }, correlationId),
      ),
  );

export const handler = updatePostHandler();
