/** The stack's HTTP API (with CORS as serverless fills it in) and WebSocket API. */

import type { WebSocketRoute } from './events';
import type { CorsDef, HttpApiDef, HttpRouteDef, WebSocketApiDef } from './model';
import { record, type StackContext, strings } from './stack';

// The methods serverless adds to CORS when they are not listed (see osls http-api.js).
const DEFAULT_CORS_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
  'X-Amzn-Trace-Id',
];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'DELETE'];

export function httpApiOf(
  { stackService, provider, resolver }: StackContext,
  apiId: string,
  routes: HttpRouteDef[],
): HttpApiDef {
  const httpApi: HttpApiDef = { apiId, stack: stackService };
  const cors = corsOf(
    resolver.resolve(record(provider.httpApi).cors, 'provider.httpApi.cors'),
    routes.map((route) => route.method),
  );
  if (cors) httpApi.cors = cors;
  return httpApi;
}

export function webSocketApiOf(
  { stackService, stage, provider }: StackContext,
  apiId: string,
  routes: WebSocketRoute[],
): WebSocketApiDef {
  return {
    apiId,
    stack: stackService,
    stage,
    routeSelectionExpression: String(
      provider.websocketsApiRouteSelectionExpression ?? '$request.body.action',
    ),
    routes,
  };
}

function corsOf(userCors: unknown, routeMethods: string[]): CorsDef | undefined {
  if (!userCors) return undefined;
  const user = record(userCors);
  const explicit = userCors !== true;
  const fillMethods = !explicit || user.allowedMethods === undefined;
  const methods = new Set(fillMethods ? ['OPTIONS'] : strings(user.allowedMethods));
  if (fillMethods) {
    for (const method of routeMethods) {
      if (method === 'ANY') for (const each of HTTP_METHODS) methods.add(each);
      else methods.add(method);
    }
  }
  const cors: CorsDef = {
    // An entry may be a comma-separated list (the stacks' allowedOrigins parameter), as the
    // stacks' CorsConfiguration splits it.
    allowedOrigins:
      explicit && user.allowedOrigins !== undefined
        ? strings(user.allowedOrigins).flatMap((entry) => entry.split(',').map((origin) => origin.trim()))
        : ['*'],
    allowedHeaders:
      explicit && user.allowedHeaders !== undefined ? strings(user.allowedHeaders) : DEFAULT_CORS_HEADERS,
    allowedMethods: [...methods],
    exposedResponseHeaders: explicit ? strings(user.exposedResponseHeaders) : [],
    allowCredentials: explicit && user.allowCredentials === true,
  };
  if (explicit && user.maxAge !== undefined) cors.maxAge = Number(user.maxAge);
  return cors;
}
