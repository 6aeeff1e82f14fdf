import { httpHandler, json } from '@live-comments/shared';
import { postPatchBody, postPath } from '../domain/post';
import { type PostsDeps, updatePost } from '../domain/posts';
import { postsSideEffects } from '../side-effects';

export const buildUpdatePostHandler = (deps: PostsDeps) =>
  httpHandler(
    { auth: true, path: postPath, body: postPatchBody },
    async ({ path, body, userId, correlationId }) =>
      json(
        200,
        await updatePost(deps, { postId: path.postId, authorId: userId, changes: body, correlationId }),
      ),
  );

export const handler = buildUpdatePostHandler(postsSideEffects());
