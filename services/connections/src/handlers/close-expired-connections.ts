import { logger, metrics, scheduledHandler } from '@live-comments/shared';
import { sweepExpiredTokens } from '../domain/token-expiry';
import { type CloseExpiredConnectionsDeps, closeExpiredConnectionsSideEffects } from '../side-effects';

/**
 * Every minute: closes the connections whose token has expired (an `error`
 * frame `token_expired`, then DeleteConnection), so that no connection
 * outlives its token by more than about a minute. A run that could not close
 * some fails, so the function's Errors alarm shows it; the next run tries
 * them again.
 */
export const buildCloseExpiredConnectionsHandler = (deps: CloseExpiredConnectionsDeps) =>
  scheduledHandler(async () => {
    const { found, closed, failed } = await sweepExpiredTokens(deps, deps.now());
    metrics.addMetric('ExpiredTokenConnectionsClosed', 'Count', closed);
    if (found > 0) logger.info('Expired-token connections closed', { found, closed, failed: failed.length });
    if (failed.length > 0) {
      logger.error('Expired-token connections could not be closed', { connectionIds: failed });
      throw new Error(`${failed.length} expired-token connection(s) could not be closed`);
    }
  });

export const handler = buildCloseExpiredConnectionsHandler(closeExpiredConnectionsSideEffects());
