import type { CommentDeletedV1, DataOf } from '@live-comments/events';
import { isDeliverableText, UNDELIVERABLE_TEXT_MESSAGE } from '@live-comments/shared';
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

/** A deletion as the CommentDeleted event, the `comment.deleted` frame and the deleted-comments list carry it. */
export type CommentDeleted = DataOf<typeof CommentDeletedV1>;

/**
 * A comment as stored. The row doubles as the outbox of its events, so a
 * stored comment is announced even if the process dies right after the write:
 * - `publishState: 'pending'` while CommentCreated has not been published;
 * - `deletedAt` (a tombstone) from the deletion on; while CommentDeleted has
 *   not been published the row is in the outbox, and once it has been the
 *   row is settled: its body is removed (deleted content is not kept) and it
 *   stays, for the deleted-comments list, until TTL removes it at `expiresAt`;
 * - `outboxShard` + `pendingSince` put the row in the sparse `unpublished`
 *   index the sweep reads, for as long as either event is due.
 * Event ids are stored so a republished event keeps its id and consumers can
 * deduplicate it.
 */
export interface CommentRow extends Omit<Comment, 'body'> {
  /** Absent on a settled tombstone only. */
  body?: string;
  eventId: string;
  correlationId: string;
  publishState?: 'pending';
  outboxShard?: string;
  pendingSince?: string;
  deletedAt?: string;
  deleteEventId?: string;
  deleteCorrelationId?: string;
  /** TTL (epoch seconds) of a settled tombstone. */
  expiresAt?: number;
}

/** The Comment of a live row (lists skip tombstones; CommentCreated is published before the body goes). */
export const toComment = (row: CommentRow): Comment => {
  if (row.body === undefined) throw new Error(`Comment ${row.id} has no body: it is a settled tombstone`);
  return {
    id: row.id,
    postId: row.postId,
    authorId: row.authorId,
    body: row.body,
    createdAt: row.createdAt,
    seq: row.seq,
  };
};

export const toDeletion = (
  row: Pick<CommentRow, 'id' | 'postId' | 'authorId' | 'seq'>,
  deletedAt: string,
): CommentDeleted => ({ id: row.id, postId: row.postId, authorId: row.authorId, seq: row.seq, deletedAt });

/**
 * How long a deleted comment's tombstone is kept after its deletion: clients
 * that were disconnected read the deletions they missed within this window
 * (`GET .../comments/deleted?since=`). DynamoDB's TTL removes it afterwards
 * (typically within a few days of `expiresAt`; until then it is still listed).
 */
export const TOMBSTONE_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export const tombstoneExpiresAt = (deletedAt: string): number =>
  Math.floor(Date.parse(deletedAt) / 1000) + TOMBSTONE_RETENTION_SECONDS;

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
  })
  .refine(isDeliverableText, `The comment ${UNDELIVERABLE_TEXT_MESSAGE}.`);

// Id limits follow the event contracts (events/src/contracts), so whatever is stored can be announced.
export const postIdParam = z.string().min(1).max(64);
export const commentIdParam = z.string().min(1).max(64);

/** A stored time (`Date#toISOString`: UTC, milliseconds), so that string order is time order in keys. */
const isStoredInstant = (text: string) => {
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
};
export const storedInstant = z.string().refine(isStoredInstant, 'Not a time as this service stores it.');

/**
 * An ISO-8601 instant from a client (`Z` or an offset, any precision), turned
 * into the stored form so that it compares with stored times as strings.
 * Precision beyond milliseconds is cut, which never moves it past a stored time.
 */
export const instantParam = z.iso
  .datetime({ offset: true })
  .refine((text) => !Number.isNaN(Date.parse(text)), 'Not a valid date.')
  .transform((text) => new Date(text).toISOString());

/** Outbox rows spread over a few index partitions, so a burst of pending rows does not heat one. */
export const OUTBOX_SHARDS = 4;
export const outboxShardOf = (seq: number): string => `pending-${seq % OUTBOX_SHARDS}`;
export const allOutboxShards = (): string[] =>
  Array.from({ length: OUTBOX_SHARDS }, (_, shard) => `pending-${shard}`);
