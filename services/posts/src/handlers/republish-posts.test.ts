import { lambdaContext, scheduleEvent } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { fakeDeps } from '../testing/fakes';
import { alicePost } from '../testing/setup';
import { buildRepublishPostsHandler } from './republish-posts';

describe('republishPosts', () => {
  it('announces posts whose event was not published', async () => {
    const fake = fakeDeps();
    fake.events.state.failing = true;
    const post = await alicePost(fake, { correlationId: 'corr-1' });
    fake.events.state.failing = false;
    fake.tick(60_000);

    await buildRepublishPostsHandler(fake.deps)(scheduleEvent(), lambdaContext());

    expect(fake.events.published).toHaveLength(1);
    expect(fake.events.published[0]).toMatchObject({
      contract: { detailType: 'PostCreated' },
      options: { eventId: 'id-1', correlationId: 'corr-1' },
    });
    expect(fake.posts.rows.get(post.id)?.pending).toBeUndefined();
  });
});
