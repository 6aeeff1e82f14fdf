import { logger, metrics, scheduledHandler } from '@live-comments/shared';
import { type OutboxDeps, republishPending } from '../domain/outbox';
import { commentsSideEffects } from '../side-effects';

/**
 * Every minute: publishes the comment events still due after 30 s, with their
 * stored event ids. Rows that fail again are left for the next run; the run
 * then fails too, so the function's Errors alarm shows a stuck outbox.
 */
export const buildRepublishCommentsHandler = (deps: OutboxDeps) =>
  scheduledHandler(async () => {
    const { announced, failed, failures } = await republishPending(deps);
    metrics.addMetric('CommentEventsRepublished', 'Count', announced);
    metrics.addMetric('CommentEventsStillDue', 'Count', failed);
    if (announced > 0) logger.info('Republished comment events', { announced });
    if (failed > 0) {
      logger.error('Comment events could not be republished', { failed: failures });
      throw new Error(`${failed} comment event(s) could not be republished`);
    }
  });

export const handler = buildRepublishCommentsHandler(commentsSideEffects());
