import { logger } from './powertools';

/**
 * The correlation id of the work in progress: the HTTP request's (or its
 * `x-correlation-id` header's), or, in a consumer, the one carried by the event
 * being handled. Lambda runs one invocation per container at a time and the
 * consumers handle records one after another, so a module-level slot is enough.
 */
let current: string | undefined;

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const isValidCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && CORRELATION_ID.test(value);

export const setCorrelationId = (id: string): void => {
  current = id;
  logger.appendKeys({ correlation_id: id });
};

export const clearCorrelationId = (): void => {
  current = undefined;
  logger.removeKeys(['correlation_id']);
};

export const getCorrelationId = (): string | undefined => current;
