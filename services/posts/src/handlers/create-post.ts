import { httpHandler, json } from '@live-comments/shared';
import { newPostBody } from '../domain/post';
import { createPost, type PostsDeps } from '../domain/posts';
import { type PostWriteLimits, postsSideEffects } from '../side-effects';

/** POST /api/v1/posts: 201 Post; 429 past the user's post write limit. */
export const buildCreatePostHandler = (deps: PostsDeps & Pick<PostWriteLimits, 'postWriteLimit'>) =>
  httpHandler(
    { auth: true, rateLimit: deps.postWriteLimit, body: newPostBody },
    async ({ body, userId, correlationId }) =>
      json(201, await createPost(deps, { authorId: userId, ...body, correlationId })),
  );

export const handler = buildCreatePostHandler(postsSideEffects());
