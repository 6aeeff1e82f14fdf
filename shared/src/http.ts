import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { ZodError, type z } from 'zod';
import { clearCorrelationId, isValidCorrelationId, setCorrelationId } from './correlation';
import {
  HttpError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { logger, metrics, tracer } from './powertools';
import { enforceRateLimit, type RateLimiter } from './rate-limit';

/** An HTTP API (payload v2) event; `authorizer` is present only on routes behind the JWT authorizer. */
export type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'];
  };
};
export type HttpResult = APIGatewayProxyStructuredResultV2;

export interface HttpResponse {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<B, P, Q, A extends boolean> {
  /** Schema of the JSON body; without it the body is ignored. */
  body?: B;
  /** Schema of the path parameters. */
  path?: P;
  /** Schema of the query string parameters. */
  query?: Q;
  /** The route sits behind the JWT authorizer: the user is the token's `sub`. */
  auth?: A;
  /** Largest accepted body, in bytes (default 64 KiB); larger is a 413. */
  maxBodyBytes?: number;
  /**
   * The caller's write limit (routes with `auth` only): one write is taken
   * from the user's allowance before anything else is read, so every
   * authenticated attempt counts, a malformed one too, and a refused one (429
   * `rate_limited`) writes nothing.
   */
  rateLimit?: RateLimiter;
}

export interface HttpRequest<B, P, Q, A extends boolean> {
  body: B;
  path: P;
  query: Q;
  /** The caller, from `requestContext.authorizer.jwt.claims.sub` and nowhere else. */
  userId: A extends true ? string : string | undefined;
  correlationId: string;
  event: HttpEvent;
  context: Context;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export const json = (statusCode: number, body: unknown, headers?: Record<string, string>): HttpResponse => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent = (): HttpResponse => ({ statusCode: 204 });

const errorBody = (code: string, message: string, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});

const zodDetails = (error: ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

const header = (event: HttpEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

const readJsonBody = (event: HttpEvent, maxBodyBytes: number): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') {
    throw new ValidationError('A JSON body is required.');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  const contentType = header(event, 'content-type');
  if (contentType && !/^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim())) {
    throw new UnsupportedMediaTypeError();
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ValidationError('The body is not valid JSON.', undefined, { cause: error });
  }
};

const parseWith = <S>(schema: S | undefined, value: unknown, what: string): Infer<S> => {
  if (!schema) return undefined as Infer<S>;
  const result = (schema as unknown as z.ZodType).safeParse(value);
  if (!result.success) throw new ValidationError(`Invalid ${what}.`, zodDetails(result.error));
  return result.data as Infer<S>;
};

const toResult = (response: HttpResponse, correlationId: string): HttpResult => {
  const headers: Record<string, string> = { 'x-correlation-id': correlationId, ...response.headers };
  if (response.body === undefined) return { statusCode: response.statusCode, headers };
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(response.body),
  };
};

const errorResult = (error: unknown, correlationId: string): HttpResult => {
  if (error instanceof HttpError) {
    logger.info('Request rejected', {
      statusCode: error.statusCode,
      code: error.code,
      reason: error.message,
    });
    return toResult(
      json(error.statusCode, errorBody(error.code, error.message, error.details), error.headers),
      correlationId,
    );
  }
  if (error instanceof ZodError) {
    return toResult(
      json(400, errorBody('validation_failed', 'Invalid request.', zodDetails(error))),
      correlationId,
    );
  }
  logger.error('Unhandled error', error as Error);
  return toResult(json(500, errorBody('internal_error', 'Internal server error.')), correlationId);
};

/**
 * Builds an HTTP API handler: Powertools (logger with the correlation id,
 * metrics, tracer) wired by middy, then the body, path and query parsed with
 * their zod schemas, the caller taken from the JWT claims, and typed errors
 * mapped to the contract's `{"error": {"code", "message"}}` shape.
 */
export const httpHandler = <
  B extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  A extends boolean = false,
>(
  spec: RouteSpec<B, P, Q, A>,
  handle: (request: HttpRequest<Infer<B>, Infer<P>, Infer<Q>, A>) => Promise<HttpResponse>,
) => {
  const core = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const headerId = header(event, 'x-correlation-id');
    const correlationId = isValidCorrelationId(headerId) ? headerId : event.requestContext.requestId;
    setCorrelationId(correlationId);
    try {
      const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
      const userId = typeof sub === 'string' && sub.length > 0 ? sub : undefined;
      if (spec.auth && !userId) throw new UnauthorizedError();
      if (spec.rateLimit && userId) await enforceRateLimit(spec.rateLimit, userId);
      const request = {
        body: spec.body
          ? parseWith(spec.body, readJsonBody(event, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), 'body')
          : undefined,
        path: parseWith(spec.path, event.pathParameters ?? {}, 'path parameters'),
        query: parseWith(spec.query, event.queryStringParameters ?? {}, 'query parameters'),
        userId,
        correlationId,
        event,
        context,
      } as HttpRequest<Infer<B>, Infer<P>, Infer<Q>, A>;
      return toResult(await handle(request), correlationId);
    } catch (error) {
      return errorResult(error, correlationId);
    } finally {
      clearCorrelationId();
    }
  };

  return middy(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
};
