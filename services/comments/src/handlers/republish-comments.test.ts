import { lambdaContext, scheduleEvent } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../testing/fakes';
import { buildRepublishCommentsHandler } from './republish-comments';

/** A comment whose CommentCreated failed `publishFailures` times, now past the outbox's grace period. */
const overdueComment = async (publishFailures: number) => {
  const world = fakeSideEffects();
  await world.knowPost('p1');
  world.failNextPublish(publishFailures);
  await world.createComment();
  world.advance(60_000);
  return { world, run: () => buildRepublishCommentsHandler(world.deps)(scheduleEvent(), lambdaContext()) };
};

describe('republishComments', () => {
  it('republishes comments whose event is overdue, keeping their event id', async () => {
    const { world, run } = await overdueComment(1);

    await run();

    expect(world.published.map((e) => [e.detailType, e.eventId])).toEqual([
      ['CommentCreated', world.commentRows.get('p1#1')?.eventId],
    ]);
    expect(world.commentRows.get('p1#1')?.publishState).toBeUndefined();
  });

  it('fails the run when an event still cannot be published', async () => {
    const { world, run } = await overdueComment(2);

    await expect(run()).rejects.toThrow(/could not be republished/);
    expect(world.commentRows.get('p1#1')?.publishState).toBe('pending');
  });
});
