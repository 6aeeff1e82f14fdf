import { z } from 'zod';

/** The Comment of API.md, as clients and events see it. */
export interface Comment {
  id: string;
  postId: string;
  authorId: string;
  body: string;
  createdAt: string;
  seq: number;
}

/**
 * A comment as stored. The row doubles as the outbox of its events, so a
 * stored comment is announced even if the process dies right after the write:
 * - `publishState: 'pending'` while CommentCreated has not been published;
 * - `deletedAt` (a tombstone) while CommentDeleted has not been published;
 *   the row is removed once it has been;
 * - `outboxShard` + `pendingSince` put the row in the sparse `unpublished`
 *   index the sweep reads, for as long as either event is due.
 * Event ids are stored so a republished event keeps its id and consumers can
 * deduplicate it.
 */
export interface CommentRow extends Comment {
  eventId: string;
  correlationId: string;
  publishState?: 'pending';
  outboxShard?: string;
  pendingSince?: string;
  deletedAt?: string;
  deleteEventId?: string;
  deleteCorrelationId?: string;
}

export const toComment = (row: CommentRow): Comment => ({
  id: row.id,
  postId: row.postId,
  authorId: row.authorId,
  body: row.body,
  createdAt: row.createdAt,
  seq: row.seq,
});

/** Longest comment, in characters (Unicode code points, so an emoji counts as one) after trimming. */
export const MAX_COMMENT_CHARACTERS = 4000;

/**
 * Largest accepted request body, in bytes. 4000 characters take at most 16 KB in
 * UTF-8 (24 KB as JSON \u escapes); anything beyond 32 KiB cannot be a valid
 * comment and is refused as 413 before it is parsed.
 */
export const MAX_REQUEST_BYTES = 32 * 1024;

/** A comment's text: 1..4000 characters once surrounding whitespace is trimmed; stored trimmed. */
export const commentText = z
  .string()
  .trim()
  .min(1, 'The comment is empty.')
  .refine((text) => [...text].length <= MAX_COMMENT_CHARACTERS, {
    message: `The comment is longer than ${MAX_COMMENT_CHARACTERS} characters.`,
  });

// Id limits follow the event contracts (events/src/contracts), so whatever is stored can be announced.
export const postIdParam = z.string().min(1).max(64);
export const commentIdParam = z.string().min(1).max(64);

/** Outbox rows spread over a few index partitions, so a burst of pending rows does not heat one. */
export const OUTBOX_SHARDS = 4;
export const outboxShardOf = (seq: number): string => `pending-${seq % OUTBOX_SHARDS}`;
export const allOutboxShards = (): string[] =>
  Array.from({ length: OUTBOX_SHARDS }, (_, shard) => `pending-${shard}`);
