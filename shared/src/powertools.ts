import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools, configured once for every function. The service name comes from
 * POWERTOOLS_SERVICE_NAME (set per service in serverless.yml), which also
 * becomes the `service` dimension of every metric.
 */
export const logger = new Logger();

/**
 * Powertools warns on every invocation that records no metric, which most
 * HTTP routes rightly do not: that warning is demoted to debug, the rest of
 * Metrics' own messages go through the logger.
 */
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) =>
    String(args[0]).startsWith('No application metrics to publish')
      ? logger.debug(String(args[0]))
      : logger.warn(String(args[0])),
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

/**
 * Every metric carries the stage beside the service (`service`, `stage`), so
 * that stages sharing an account and the namespace do not add up into each
 * other's alarms and dashboards.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'LiveComments',
  ...(process.env.STAGE ? { defaultDimensions: { stage: process.env.STAGE } } : {}),
  logger: metricsLogger,
});
export const tracer = new Tracer();
