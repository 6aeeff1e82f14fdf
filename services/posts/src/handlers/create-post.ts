import { httpHandler, json } from '@live-comments/shared';
import { createPost, newPostBody } from '../domain/posts';
import { type ServiceDeps, sideEffects } from '../side-effects';

export const createPostHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ auth: true, body: newPostBody }, async ({ body, userId, correlationId }) =>
    json(201, await createPost(deps(), { authorId: userId, ...body }, correlationId)),
  );

export const handler = createPostHandler();
