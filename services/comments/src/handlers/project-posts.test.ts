import { CommentCreatedV1, PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { lambdaContext, memoryIdempotencyTable, sqsEvent } from '@live-comments/shared/testing';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeSideEffects, fakeSideEffects } from '../testing/fakes';
import { buildProjectPostsHandler } from './project-posts';

const post = {
  id: 'p1',
  authorId: 'bob',
  title: 'Title',
  body: 'Body',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
};

describe('projectPosts', () => {
  let world: FakeSideEffects;
  let store: ReturnType<typeof memoryIdempotencyTable>;

  beforeEach(() => {
    world = fakeSideEffects();
    store = memoryIdempotencyTable();
  });

  afterEach(() => {
    store.dynamo.restore();
  });

  const run = async (bodies: string[]) =>
    (await buildProjectPostsHandler(world.deps)(sqsEvent(bodies), lambdaContext())) as SQSBatchResponse;

  it('projects PostCreated, PostUpdated and PostDeleted', async () => {
    expect(await run([eventBridgeMessage(PostCreatedV1, post)])).toEqual({ batchItemFailures: [] });
    expect(world.postRows.get('p1')?.authorId).toBe('bob');

    await run([eventBridgeMessage(PostUpdatedV1, { ...post, updatedAt: '2026-03-01T02:00:00.000Z' })]);
    expect(world.postRows.get('p1')?.updatedAt).toBe('2026-03-01T02:00:00.000Z');

    await world.createComment({ authorId: 'a' });
    await run([
      eventBridgeMessage(PostDeletedV1, { id: 'p1', authorId: 'bob', deletedAt: '2026-03-01T03:00:00.000Z' }),
    ]);
    expect(world.postRows.get('p1')?.deletedAt).toBe('2026-03-01T03:00:00.000Z');
    expect(world.commentRows.size).toBe(0);
  });

  it('handles an event id once, however often it is delivered', async () => {
    const recordPost = vi.spyOn(world.deps.posts, 'recordPost');
    const message = eventBridgeMessage(PostCreatedV1, post, { eventId: 'evt-1' });

    await run([message]);
    const response = await run([message, message]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(recordPost).toHaveBeenCalledTimes(1);
    // One record per event id (Powertools stores a hash of it), completed.
    expect([...store.items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
  });

  it('reports only the records it could not handle', async () => {
    world.deps.posts.recordPost = vi
      .fn()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValue(undefined);

    const response = await run([
      eventBridgeMessage(PostCreatedV1, post, { eventId: 'evt-a' }),
      'not json',
      eventBridgeMessage(CommentCreatedV1, {
        id: 'c1',
        postId: 'p1',
        authorId: 'a',
        body: 'x',
        createdAt: '2026-03-01T00:00:00.000Z',
        seq: 1,
      }),
      eventBridgeMessage(PostCreatedV1, { ...post, id: 'p2' }, { eventId: 'evt-b' }),
    ]);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'message-1',
      'message-2',
      'message-3',
    ]);
    // The failed attempt released its event id (only evt-b is remembered), so the retry is handled.
    expect([...store.items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
    expect(await run([eventBridgeMessage(PostCreatedV1, post, { eventId: 'evt-a' })])).toEqual({
      batchItemFailures: [],
    });
    expect(world.deps.posts.recordPost).toHaveBeenCalledTimes(3);
  });
});
