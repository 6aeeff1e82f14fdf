import { logger, metrics, scheduledHandler } from '@live-comments/shared';
import { sweepStaleConnections } from '../domain/sweep-stale';
import { type SweepConnectionsDeps, sweepConnectionsSideEffects } from '../side-effects';

/**
 * Every 10 minutes: closes the connections API Gateway has certainly closed
 * (open for more than 2 hours) whose `$disconnect` never ran, so the open
 * count does not drift up and their subscriptions go. A run that could not
 * close some fails, so the function's Errors alarm shows it; the next run
 * tries them again.
 */
export const buildSweepConnectionsHandler = (deps: SweepConnectionsDeps) =>
  scheduledHandler(async () => {
    const { found, closed, failed } = await sweepStaleConnections(deps, deps.now());
    metrics.addMetric('StaleConnectionsClosed', 'Count', closed);
    if (found > 0) logger.info('Stale connections swept', { found, closed, failed: failed.length });
    if (failed.length > 0) {
      logger.error('Stale connections could not be closed', { connectionIds: failed });
      throw new Error(`${failed.length} stale connection(s) could not be closed`);
    }
  });

export const handler = buildSweepConnectionsHandler(sweepConnectionsSideEffects());
