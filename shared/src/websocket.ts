import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { clearCorrelationId, setCorrelationId } from './correlation';
import { logger, metrics, tracer } from './powertools';

/**
 * An API Gateway WebSocket event. `$connect` carries the handshake's headers and
 * query string; message routes carry the frame as `body`; `$disconnect` neither.
 */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    connectionId: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    requestId: string;
    /** When the connection was opened, in epoch milliseconds. */
    connectedAt: number;
    requestTimeEpoch: number;
    stage: string;
    domainName: string;
    apiId: string;
    disconnectStatusCode?: number;
    disconnectReason?: string;
    [key: string]: unknown;
  };
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** What API Gateway gets back: on `$connect`, a non-2xx status turns the handshake away. */
export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export interface WebSocketRequest {
  connectionId: string;
  routeKey: string;
  /** The frame's text; undefined on `$connect`/`$disconnect`, or when the frame was binary. */
  body: string | undefined;
  /** The gateway's request id, which is this frame's correlation id in the logs. */
  correlationId: string;
  /** When the connection was opened, in epoch milliseconds. */
  connectedAt: number;
  /** A handshake header, looked up case-insensitively. */
  header(name: string): string | undefined;
  /** A handshake query string parameter. */
  query(name: string): string | undefined;
  event: WebSocketEvent;
  context: Context;
}

const headerOf = (event: WebSocketEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values?.[0] !== undefined) return values[0];
  }
  return undefined;
};

/**
 * Builds a WebSocket route handler: Powertools (logger under the gateway's
 * request id as correlation id, metrics, tracer) wired by middy, the
 * connection id, route and frame taken from the event. An error the route did
 * not handle is logged and answered with 500 (on `$connect` that refuses the
 * handshake), never thrown to the gateway.
 */
export const webSocketHandler = (
  handle: (request: WebSocketRequest) => Promise<WebSocketResult | undefined>,
) => {
  const core = async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
    const { connectionId, routeKey, requestId, connectedAt } = event.requestContext;
    setCorrelationId(requestId);
    logger.appendKeys({ connection_id: connectionId, route_key: routeKey });
    try {
      const request: WebSocketRequest = {
        connectionId,
        routeKey,
        body: typeof event.body === 'string' && !event.isBase64Encoded ? event.body : undefined,
        correlationId: requestId,
        connectedAt,
        header: (name) => headerOf(event, name),
        query: (name) => event.queryStringParameters?.[name] ?? undefined,
        event,
        context,
      };
      return (await handle(request)) ?? { statusCode: 200 };
    } catch (error) {
      logger.error('Unhandled error', error as Error);
      return { statusCode: 500 };
    } finally {
      logger.removeKeys(['connection_id', 'route_key']);
      clearCorrelationId();
    }
  };

  return middy(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
};
