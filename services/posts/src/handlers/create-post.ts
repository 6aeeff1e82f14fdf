import { httpHandler, json } from '@live-comments/shared';
import { newPostBody } from '../domain/post';
import { createPost, type PostsDeps } from '../domain/posts';
import { postsSideEffects } from '../side-effects';

export const buildCreatePostHandler = (deps: PostsDeps) =>
  httpHandler({ auth: true, body: newPostBody }, async ({ body, userId, correlationId }) =>
    json(201, await createPost(deps, { authorId: userId, ...body, correlationId })),
  );

export const handler = buildCreatePostHandler(postsSideEffects());
