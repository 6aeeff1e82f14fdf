import { PostCreatedV1, PostDeletedV1, PostUpdatedV1, parseEventMessage } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { describe, expect, it } from 'vitest';
import { fakeSideEffects } from '../testing/fakes';
import { type PostEvent, projectPostEvent } from './project-posts';

const contracts = [PostCreatedV1, PostUpdatedV1, PostDeletedV1] as const;
const parse = (body: string) => parseEventMessage(contracts, body) as PostEvent;

const snapshot = (updatedAt: string) => ({
  id: 'p1',
  authorId: 'bob',
  title: 'Title',
  body: 'Body',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt,
});
const created = parse(eventBridgeMessage(PostCreatedV1, snapshot('2026-03-01T00:00:00.000Z')));
const updated = parse(eventBridgeMessage(PostUpdatedV1, snapshot('2026-03-01T05:00:00.000Z')));
const deleted = parse(
  eventBridgeMessage(PostDeletedV1, { id: 'p1', authorId: 'bob', deletedAt: '2026-03-01T06:00:00.000Z' }),
);

describe('projectPostEvent', () => {
  it('makes a created post known, so it can be commented on', async () => {
    const world = fakeSideEffects();

    await projectPostEvent(world.deps, created);

    expect(world.postRows.get('p1')).toEqual({
      authorId: 'bob',
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    expect(await world.deps.posts.takeNextSeq('p1')).toBe(1);
  });

  it('accepts an update that arrives before the creation and ignores the stale creation after it', async () => {
    const world = fakeSideEffects();

    await projectPostEvent(world.deps, updated);
    await projectPostEvent(world.deps, created);

    expect(world.postRows.get('p1')?.updatedAt).toBe('2026-03-01T05:00:00.000Z');
  });

  it('marks a deleted post and removes its comments, without announcing them', async () => {
    const world = fakeSideEffects();
    await projectPostEvent(world.deps, created);
    await world.createComment({ authorId: 'a', body: 'x' });
    await world.createComment({ authorId: 'a', body: 'y' });
    world.published.length = 0;

    await projectPostEvent(world.deps, deleted);

    expect(world.postRows.get('p1')?.deletedAt).toBe('2026-03-01T06:00:00.000Z');
    expect(world.commentRows.size).toBe(0);
    expect(world.published).toEqual([]);
    expect(await world.deps.posts.takeNextSeq('p1')).toBeUndefined();
  });

  it('does not bring a deleted post back when its creation arrives late', async () => {
    const world = fakeSideEffects();

    await projectPostEvent(world.deps, deleted);
    await projectPostEvent(world.deps, created);
    await projectPostEvent(world.deps, updated);

    expect(await world.deps.posts.takeNextSeq('p1')).toBeUndefined();
  });

  it('ends in the same state when an event is handled twice', async () => {
    const once = fakeSideEffects();
    const twice = fakeSideEffects();

    for (const event of [created, updated, deleted]) {
      await projectPostEvent(once.deps, event);
      await projectPostEvent(twice.deps, event);
      await projectPostEvent(twice.deps, event);
      expect(twice.postRows).toEqual(once.postRows);
    }
  });
});
