import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { logger } from '@live-comments/shared';
import { type CommentRow, toComment, toDeletion, tombstoneExpiresAt } from './comment';
import type { Clock, CommentPublisher, Comments } from './ports';

export interface OutboxDeps {
  comments: Comments;
  publisher: CommentPublisher;
}

/**
 * Publishes whatever events a row still owes, with the ids stored on it, and
 * then clears them from the row: CommentCreated first (a deleted comment was
 * created first, and counters downstream rely on seeing both), then
 * CommentDeleted, after which the tombstone is settled: kept without its body
 * for the deleted-comments list until its TTL. Publishing twice is harmless:
 * consumers deduplicate on the event id. A settled tombstone owes nothing.
 */
export const announce = async ({ comments, publisher }: OutboxDeps, row: CommentRow): Promise<void> => {
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
 * Announces right away on the request path. A failure is not the caller's
 * problem: the write is done and the row stays in the outbox for the sweep.
 */
export const announceSoon = async (deps: OutboxDeps, row: CommentRow): Promise<void> => {
  try {
    await announce(deps, row);
  } catch (error) {
    logger.warn('Comment event not published yet; the outbox sweep will retry', {
      error: error as Error,
      commentId: row.id,
      postId: row.postId,
    });
  }
};

export interface SweepDeps extends OutboxDeps {
  clock: Clock;
}

export interface SweepOptions {
  /** Rows younger than this are left to the request that wrote them (default 30 s). */
  graceMs?: number;
  /** Most rows handled per run (default 500); the next run takes the rest. */
  maxRows?: number;
}

export interface SweepResult {
  announced: number;
  failed: { commentId: string; postId: string; error: string }[];
}

/**
 * The outbox sweep: republishes the events of rows that have been due for
 * longer than the grace period (the writer died or PutEvents failed), keeping
 * their event ids. One failing row does not hold up the others.
 */
export const sweepOutbox = async (deps: SweepDeps, options: SweepOptions = {}): Promise<SweepResult> => {
  const before = new Date(deps.clock().getTime() - (options.graceMs ?? 30_000)).toISOString();
  const rows = await deps.comments.pendingSince(before, options.maxRows ?? 500);
  const result: SweepResult = { announced: 0, failed: [] };
  for (const row of rows) {
    try {
      await announce(deps, row);
      result.announced += 1;
    } catch (error) {
      result.failed.push({ commentId: row.id, postId: row.postId, error: String(error) });
    }
  }
  return result;
};
