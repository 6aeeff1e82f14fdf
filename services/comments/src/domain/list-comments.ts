import { decodeCursor, encodeCursor, type Page } from '@live-comments/shared';
import { z } from 'zod';
import { type Comment, toComment } from './comment';
import type { Comments, KnownPosts } from './ports';

export interface CommentListing {
  postId: string;
  /** Only comments with a larger `seq` (0: from the first). */
  afterSeq?: number;
  limit: number;
  cursor?: string;
}

export interface ListCommentsDeps {
  comments: Comments;
  posts: KnownPosts;
}

const cursorKey = z.strictObject({ seq: z.number().int().positive() });

/**
 * A page of a post's comments, oldest first. The cursor is scoped to the post
 * (a cursor of another post is a 400) and carries the last `seq` returned;
 * `afterSeq` and a cursor combine: the page starts after the larger of both.
 * A deleted post's list is empty (as an unknown post's) from the moment its
 * deletion is recorded, while its comments are still being removed: the
 * known-posts row is read beside the comments, not before them.
 */
export const listComments = async (deps: ListCommentsDeps, input: CommentListing): Promise<Page<Comment>> => {
  const scope = `comments:${input.postId}`;
  const fromCursor = input.cursor ? decodeCursor(input.cursor, scope, cursorKey).seq : 0;
  const afterSeq = Math.max(input.afterSeq ?? 0, fromCursor);
  const [deleted, page] = await Promise.all([
    deps.posts.isDeleted(input.postId),
    deps.comments.list(input.postId, { afterSeq, limit: input.limit }),
  ]);
  if (deleted) return { items: [], nextCursor: null };
  return {
    items: page.rows.map(toComment),
    nextCursor: page.lastSeq === undefined ? null : encodeCursor(scope, { seq: page.lastSeq }),
  };
};
