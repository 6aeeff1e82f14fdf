import { describe, expect, it } from 'vitest';
import { createComment } from '../domain/create-comment';
import { fakeSideEffects, lambdaContext } from '../test-support';
import { buildHandler } from './republish-comments';

describe('republishComments', () => {
  it('republishes comments whose event is overdue, keeping their event id', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish();
    await createComment(world.deps, { postId: 'p1', authorId: 'alice', body: 'x', correlationId: 'c' });
    world.advance(60_000);

    await buildHandler(() => world.deps)({}, lambdaContext());

    expect(world.published.map((e) => [e.detailType, e.eventId])).toEqual([
      ['CommentCreated', world.commentRows.get('p1#1')?.eventId],
    ]);
    expect(world.commentRows.get('p1#1')?.publishState).toBeUndefined();
  });

  it('fails the run when an event still cannot be published', async () => {
    const world = fakeSideEffects();
    await world.knowPost('p1');
    world.failNextPublish(2);
    await createComment(world.deps, { postId: 'p1', authorId: 'alice', body: 'x', correlationId: 'c' });
    world.advance(60_000);

    await expect(buildHandler(() => world.deps)({}, lambdaContext())).rejects.toThrow(
      /could not be republished/,
    );
    expect(world.commentRows.get('p1#1')?.publishState).toBe('pending');
  });
});
