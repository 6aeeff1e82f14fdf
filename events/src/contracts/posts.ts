import { z } from 'zod';
import { defineEvent } from '../contract';
import { POSTS_SOURCE } from './sources';

const postId = z.string().min(1).max(64);
const userId = z.string().min(1).max(256);

/** The post as the posts service announces it (counters are derived elsewhere and left out). */
export const postSnapshot = z.object({
  id: postId,
  authorId: userId,
  title: z.string(),
  body: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const PostCreatedV1 = defineEvent({
  source: POSTS_SOURCE,
  detailType: 'PostCreated',
  version: 1,
  data: postSnapshot,
});

export const PostUpdatedV1 = defineEvent({
  source: POSTS_SOURCE,
  detailType: 'PostUpdated',
  version: 1,
  data: postSnapshot,
});

export const PostDeletedV1 = defineEvent({
  source: POSTS_SOURCE,
  detailType: 'PostDeleted',
  version: 1,
  data: z.object({ id: postId, authorId: userId, deletedAt: z.iso.datetime() }),
});
