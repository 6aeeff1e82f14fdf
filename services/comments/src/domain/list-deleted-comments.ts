import { decodeCursor, encodeCursor, InvalidCursorError, type Page } from '@live-comments/shared';
import { z } from 'zod';
import { type CommentDeleted, storedInstant } from './comment';
import type { Comments } from './ports';

export interface DeletionListing {
  postId: string;
  /** Only deletions after this time, in the stored form (see `instantParam`). */
  since: string;
  limit: number;
  cursor?: string;
}

export interface ListDeletedCommentsDeps {
  comments: Comments;
}

const cursorKey = z.strictObject({ deletedAt: storedInstant, seq: z.number().int().positive() });

/**
 * A page of a post's deletions after `since`, oldest deletion first: what a
 * client that was disconnected missed of the `comment.deleted` frames, as
 * long as the tombstones are kept (a week). The cursor is scoped to the post
 * and to `since` (with another `since` its position could lie outside the
 * query) and carries the index position of the last deletion returned.
 */
export const listDeletedComments = async (
  deps: ListDeletedCommentsDeps,
  input: DeletionListing,
): Promise<Page<CommentDeleted>> => {
  const scope = `deleted-comments:${input.postId}:${input.since}`;
  const after = input.cursor ? decodeCursor(input.cursor, scope, cursorKey) : undefined;
  // Only an edited cursor gets here: DynamoDB would refuse a start key outside the key condition.
  if (after && after.deletedAt <= input.since) throw new InvalidCursorError();
  const page = await deps.comments.listDeleted(input.postId, {
    since: input.since,
    limit: input.limit,
    ...(after ? { after } : {}),
  });
  const { last } = page;
  return {
    items: page.deletions,
    nextCursor: last ? encodeCursor(scope, { deletedAt: last.deletedAt, seq: last.seq }) : null,
  };
};
