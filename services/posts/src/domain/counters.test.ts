import { parseEventMessage } from '@live-comments/events';
import { describe, expect, it } from 'vitest';
import { commentEventMessage, withPost } from '../testing/setup';
import { type CommentEvent, commentEventContracts, countComment } from './counters';
import { deletePost, getPost } from './posts';

const delivered = (detailType: 'CommentCreated' | 'CommentDeleted', postId: string): CommentEvent =>
  parseEventMessage(commentEventContracts, commentEventMessage(detailType, postId));

describe('countComment', () => {
  it('counts comments created and deleted', async () => {
    const { fake, post } = await withPost();
    await countComment(fake.deps, delivered('CommentCreated', post.id));
    await countComment(fake.deps, delivered('CommentCreated', post.id));
    await countComment(fake.deps, delivered('CommentDeleted', post.id));

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
  });
});
