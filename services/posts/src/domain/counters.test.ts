import { parseEventMessage } from '@live-comments/events';
import { describe, expect, it } from 'vitest';
import { commentEventMessage, withPost } from '../testing/setup';
import { type CommentEvent, commentEventContracts, countComment } from './counters';
import { deletePost, getPost } from './posts';

type DetailType = 'CommentCreated' | 'CommentDeleted';

/** The event as the consumer parses it; the event id is the same for every delivery of one event. */
const delivered = (detailType: DetailType, postId: string, commentId = 'c1'): CommentEvent =>
  parseEventMessage(
    commentEventContracts,
    commentEventMessage(detailType, postId, `${detailType}-${commentId}`, commentId),
  );

/** One delivery: C = CommentCreated, D = CommentDeleted, then the comment id (`C1`, `D3`). */
type Delivery = `${'C' | 'D'}${number}`;
const parse = (delivery: Delivery) => ({
  detailType: (delivery[0] === 'C' ? 'CommentCreated' : 'CommentDeleted') as DetailType,
  commentId: `c${delivery.slice(1)}`,
});

/** Delivers in this order, and checks after each delivery that the count is what the events so far say. */
const deliverInOrder = async (deliveries: readonly Delivery[]) => {
  const { fake, post } = await withPost();
  const created = new Set<string>();
  const deleted = new Set<string>();
  for (const delivery of deliveries) {
    const { detailType, commentId } = parse(delivery);
    await countComment(fake.deps, delivered(detailType, post.id, commentId));
    (detailType === 'CommentCreated' ? created : deleted).add(commentId);
    const exact = [...created].filter((id) => !deleted.has(id)).length;
    expect((await getPost(fake.deps, post.id)).commentCount, deliveries.join(' ')).toBe(exact);
  }
  return { fake, post, count: (await getPost(fake.deps, post.id)).commentCount };
};

/** Every distinct order of these deliveries (repeated ones are not told apart). */
const orders = <T extends string>(items: readonly T[]): T[][] => {
  if (items.length <= 1) return [[...items]];
  const result: T[][] = [];
  for (const first of new Set(items)) {
    const rest = [...items];
    rest.splice(rest.indexOf(first), 1);
    for (const order of orders(rest)) result.push([first, ...order]);
  }
  return result;
};

/** A seeded shuffle (mulberry32), so a failing order can be replayed. */
const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

describe('countComment', () => {
  it('counts comments created and deleted', async () => {
    const { fake, post } = await withPost();
    await countComment(fake.deps, delivered('CommentCreated', post.id, 'c1'));
    await countComment(fake.deps, delivered('CommentCreated', post.id, 'c2'));
    await countComment(fake.deps, delivered('CommentDeleted', post.id, 'c1'));

    expect((await getPost(fake.deps, post.id)).commentCount).toBe(1);
  });

  it('never counts below zero', async () => {
    const { fake, post } = await withPost();
    await countComment(fake.deps, delivered('CommentDeleted', post.id));
    expect((await getPost(fake.deps, post.id)).commentCount).toBe(0);
  });

  it('ignores events about posts that are gone', async () => {
    const { fake, post } = await withPost();
    await deletePost(fake.deps, { postId: post.id, authorId: 'alice', correlationId: 'c' });
    await expect(countComment(fake.deps, delivered('CommentCreated', post.id))).resolves.toBeUndefined();
    await expect(countComment(fake.deps, delivered('CommentCreated', 'unknown'))).resolves.toBeUndefined();
    await expect(countComment(fake.deps, delivered('CommentDeleted', post.id))).resolves.toBeUndefined();
  });

  it('counts a comment when it is created and uncounts it when it is deleted', async () => {
    const { fake, post, count } = await deliverInOrder(['C1', 'D1']);
    expect(count).toBe(0);
    expect(fake.countedComments.markers.get(post.id)).toEqual(new Map([['c1', 'deleted']]));
  });

  it('never counts a comment whose deletion arrives before its creation', async () => {
    const { fake, post, count } = await deliverInOrder(['D1', 'C1']);
    expect(count).toBe(0);
    expect(fake.countedComments.markers.get(post.id)).toEqual(new Map([['c1', 'deleted']]));
  });

  it('counts each comment once however often its events are delivered', async () => {
    expect((await deliverInOrder(['C1', 'C1', 'C1'])).count).toBe(1);
    expect((await deliverInOrder(['C1', 'D1', 'D1', 'C1', 'D1'])).count).toBe(0);
    expect((await deliverInOrder(['D1', 'D1', 'C1', 'C1'])).count).toBe(0);
  });

  it('is exact at every step of every order of interleaved, repeated events', async () => {
    // c1 created twice (a redelivery) and deleted; c2 created; c3 created and deleted twice.
    const all = orders<Delivery>(['C1', 'C1', 'D1', 'C2', 'C3', 'D3', 'D3']);
    expect(all).toHaveLength(1260);
    for (const order of all) expect((await deliverInOrder(order)).count).toBe(1);
  });

  it('is exact for many comments, each delivered several times, in shuffled orders', async () => {
    // 30 comments created (each 1 to 3 times), the even ones deleted (1 or 2 times): 15 remain.
    const deliveries: Delivery[] = [];
    for (let id = 1; id <= 30; id++) {
      for (let copy = 0; copy <= id % 3; copy++) deliveries.push(`C${id}`);
      const deletions = id % 2 === 1 ? 0 : id % 4 === 0 ? 1 : 2;
      for (let copy = 0; copy < deletions; copy++) deliveries.push(`D${id}`);
    }
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      expect((await deliverInOrder(shuffled(deliveries, seed))).count).toBe(15);
    }
  });
});
