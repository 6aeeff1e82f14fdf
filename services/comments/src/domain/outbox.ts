import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { logger } from '@live-comments/shared';
import { type CommentRow, toComment, toDeletion, tombstoneExpiresAt } from './comment';
import type { Clock, CommentPublisher, Comments } from './ports';

/** What the outbox needs: the rows that owe events, the bus, and the time (for the sweep's grace period). */
export interface OutboxDeps {
  comments: Comments;
  publisher: CommentPublisher;
  clock: Clock;
}

/**
 * Publishes whatever events a row still owes, with the ids stored on it, and
 * then clears them from the row: CommentCreated first (a deleted comment was
 * created first, and counters downstream rely on seeing both), then
 * CommentDeleted, after which the tombstone is settled: kept without its body
 * for the deleted-comments list until its TTL. Publishing twice is harmless:
 * consumers deduplicate on the event id. A settled tombstone owes nothing.
 * Throws when publishing or settling fails.
 */
const publishDue = async ({ comments, publisher }: OutboxDeps, row: CommentRow): Promise<void> => {
  if (row.publishState === 'pending') {
    await publisher.publish(CommentCreatedV1, toComment(row), {
      eventId: row.eventId,
      correlationId: row.correlationId,
      occurredAt: row.createdAt,
    });
    await comments.settleCreated(row);
  }
  if (row.deletedAt && row.deleteEventId && row.expiresAt === undefined) {
    await publisher.publish(CommentDeletedV1, toDeletion(row, row.deletedAt), {
      eventId: row.deleteEventId,
      correlationId: row.deleteCorrelationId ?? row.correlationId,
      occurredAt: row.deletedAt,
    });
    await comments.settleDeleted(row, tombstoneExpiresAt(row.deletedAt));
  }
};

/**
 * Announces what a row owes right away, on the request path; never throws. A
 * failure is not the caller's problem: the write is done and the row stays in
 * the outbox for the sweep (`republishPending`).
 */
export const announce = async (deps: OutboxDeps, row: CommentRow): Promise<void> => {
  try {
    await publishDue(deps, row);
  } catch (error) {
    logger.warn('Comment event not published yet; the outbox sweep will retry', {
      error: error as Error,
      commentId: row.id,
      postId: row.postId,
    });
  }
};

export interface RepublishOptions {
  /** Rows younger than this are left to the request that wrote them (default 30 s). */
  graceMs?: number;
  /** Most rows handled per run (default 500); the next run takes the rest. */
  maxRows?: number;
}

export interface RepublishResult {
  /** Rows found owing an event past the grace period. */
  found: number;
  /** Rows whose events are now published. */
  announced: number;
  /** Rows that failed again, left for the next run. */
  failed: number;
  /** Which rows failed, and why (the handler logs them). */
  failures: { commentId: string; postId: string; error: string }[];
}

/**
 * The outbox sweep: republishes the events of rows that have been due for
 * longer than the grace period (the writer died or PutEvents failed), keeping
 * their event ids. One failing row does not hold up the others.
 */
export const republishPending = async (
  deps: OutboxDeps,
  options: RepublishOptions = {},
): Promise<RepublishResult> => {
  const before = new Date(deps.clock().getTime() - (options.graceMs ?? 30_000)).toISOString();
  const rows = await deps.comments.pendingSince(before, options.maxRows ?? 500);
  const result: RepublishResult = { found: rows.length, announced: 0, failed: 0, failures: [] };
  for (const row of rows) {
    try {
      await publishDue(deps, row);
      result.announced += 1;
    } catch (error) {
      result.failed += 1;
      result.failures.push({ commentId: row.id, postId: row.postId, error: String(error) });
    }
  }
  return result;
};
