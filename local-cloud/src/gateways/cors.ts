import type { OutgoingHttpHeaders } from 'node:http';
import type { CorsDef } from '../topology/model';

/**
 * CORS as an HTTP API configures it: API Gateway answers preflights itself
 * and puts the CORS headers on every response for an allowed origin (headers
 * the integration returns for CORS are replaced).
 */

export interface CorsPolicy {
  allows(origin: string): boolean;
  /** 204 headers for a preflight from an allowed origin. */
  preflightHeaders(origin: string): OutgoingHttpHeaders;
  /** Headers added to an actual response for an allowed origin. */
  responseHeaders(origin: string): OutgoingHttpHeaders;
}

const list = (values: string[]) => values.join(',');

export const createCorsPolicy = (cors: CorsDef): CorsPolicy => {
  const anyOrigin = cors.allowedOrigins.includes('*');
  const origins = new Set(cors.allowedOrigins);
  // With credentials the origin must be echoed: browsers refuse `*` there.
  const allowOrigin = (origin: string) => (anyOrigin && !cors.allowCredentials ? '*' : origin);
  const credentials: OutgoingHttpHeaders = cors.allowCredentials
    ? { 'access-control-allow-credentials': 'true' }
    : {};
  const expose: OutgoingHttpHeaders =
    cors.exposedResponseHeaders.length > 0
      ? { 'access-control-expose-headers': list(cors.exposedResponseHeaders) }
      : {};
  return {
    allows: (origin) => anyOrigin || origins.has(origin),
    preflightHeaders: (origin) => ({
      'access-control-allow-origin': allowOrigin(origin),
      ...(cors.allowedMethods.length > 0
        ? { 'access-control-allow-methods': list(cors.allowedMethods) }
        : {}),
      ...(cors.allowedHeaders.length > 0
        ? { 'access-control-allow-headers': list(cors.allowedHeaders) }
        : {}),
      ...(cors.maxAge !== undefined ? { 'access-control-max-age': String(cors.maxAge) } : {}),
      ...credentials,
    }),
    responseHeaders: (origin) => ({
      'access-control-allow-origin': allowOrigin(origin),
      ...expose,
      ...credentials,
    }),
  };
};

/** Drops CORS headers an integration returned: with CORS configured, API Gateway's own win. */
export const withoutCorsHeaders = <T>(headers: Record<string, T>): Record<string, T> => {
  const kept: Record<string, T> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('access-control-')) kept[name] = value;
  }
  return kept;
};

/** The local-only routes (`/_local/*`) serve the web app from any origin. */
export const localRouteCors: CorsPolicy = createCorsPolicy({
  allowedOrigins: ['*'],
  allowedHeaders: ['content-type', 'authorization'],
  allowedMethods: ['GET', 'POST', 'OPTIONS'],
  exposedResponseHeaders: [],
  allowCredentials: false,
  maxAge: 600,
});
