import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools, configured once for every function. The service name comes from
 * POWERTOOLS_SERVICE_NAME (set per service in serverless.yml), which also
 * becomes the `service` dimension of every metric.
 */
export const logger = new Logger();
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'LiveComments' });
export const tracer = new Tracer();
