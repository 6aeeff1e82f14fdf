import { logger, metrics, scheduledHandler } from '@live-comments/shared';
import { sweepOutbox } from '../domain/outbox';
import { type SideEffects, sideEffects } from '../side-effects';

/**
 * Every minute: publishes the comment events still due after 30 s, with their
 * stored event ids. Rows that fail again are left for the next run; the run
 * then fails too, so the function's Errors alarm shows a stuck outbox.
 */
export const buildHandler = (deps: () => SideEffects = sideEffects) =>
  scheduledHandler(async () => {
    const { announced, failed } = await sweepOutbox(deps());
    metrics.addMetric('CommentEventsRepublished', 'Count', announced);
    metrics.addMetric('CommentEventsStillDue', 'Count', failed.length);
    if (announced > 0) logger.info('Republished comment events', { announced });
    if (failed.length > 0) {
      logger.error('Comment events could not be republished', { failed });
      throw new Error(`${failed.length} comment event(s) could not be republished`);
    }
  });

export const handler = buildHandler();
