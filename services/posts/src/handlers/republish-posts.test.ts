import { describe, expect, it } from 'vitest';
import { createPost } from '../domain/posts';
import { fakeDeps, lambdaContext } from '../test-support';
import { republishPostsHandler } from './republish-posts';

describe('republishPosts', () => {
  it('announces posts whose event was not published', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const post = await createPost(fake.deps, { authorId: 'alice', title: 'T', body: 'B' }, 'corr-1');
    fake.events.state.failing = false;
    fake.tick(60_000);

    await republishPostsHandler(() => fake.deps)({}, lambdaContext());

    expect(fake.events.published).toHaveLength(1);
    expect(fake.events.published[0]).toMatchObject({
      contract: { detailType: 'PostCreated' },
      options: { eventId: 'id-1', correlationId: 'corr-1' },
    });
    expect(fake.posts.rows.get(post.id)?.pending).toBeUndefined();
  });
});
