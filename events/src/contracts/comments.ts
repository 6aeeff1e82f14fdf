import { z } from 'zod';
import { defineEvent } from '../contract';
import { COMMENTS_SOURCE } from './sources';

/** The Comment of API.md: `seq` counts up by one per post. */
export const comment = z.object({
  id: z.string().min(1).max(64),
  postId: z.string().min(1).max(64),
  authorId: z.string().min(1).max(256),
  body: z.string(),
  createdAt: z.iso.datetime(),
  seq: z.number().int().positive(),
});

export const CommentCreatedV1 = defineEvent({
  source: COMMENTS_SOURCE,
  detailType: 'CommentCreated',
  version: 1,
  data: comment,
});

export const CommentDeletedV1 = defineEvent({
  source: COMMENTS_SOURCE,
  detailType: 'CommentDeleted',
  version: 1,
  data: z.object({
    id: z.string().min(1).max(64),
    postId: z.string().min(1).max(64),
    authorId: z.string().min(1).max(256),
    seq: z.number().int().positive(),
    deletedAt: z.iso.datetime(),
  }),
});
