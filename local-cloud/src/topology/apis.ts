/** The stack's HTTP API (with CORS as serverless fills it in) and WebSocket API. */

import type { WebSocketRoute } from './events';
import type { CorsDef, HttpApiDef, HttpRouteDef, StageThrottleDef, WebSocketApiDef } from './model';
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

/** The framework's logical ids of the stages it creates (osls naming: getHttpApiStageLogicalId, getWebsocketsStageLogicalId). */
export const HTTP_API_STAGE = 'HttpApiStage';
export const WEBSOCKET_STAGE = 'WebsocketsDeploymentStage';

const throttleValue = (context: StackContext, value: unknown, path: string): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const resolved = Number(context.resolver.resolve(value, path));
  if (!Number.isFinite(resolved) || resolved < 0) {
    throw new Error(`${context.stackService}: ${path} must be a number of requests per second (0 or more)`);
  }
  return resolved;
};

/**
 * The stage's default route throttling from `resources.extensions.<stage>`,
 * or undefined when it sets none. A rate without a burst gets a burst of the
 * rate (at least 1); a burst without a rate is not limited at the stage.
 */
export function stageThrottleOf(context: StackContext, stageLogicalId: string): StageThrottleDef | undefined {
  const path = `resources.extensions.${stageLogicalId}.Properties.DefaultRouteSettings`;
  const settings = record(record(record(context.extensions[stageLogicalId]).Properties).DefaultRouteSettings);
  const rateLimit = throttleValue(context, settings.ThrottlingRateLimit, `${path}.ThrottlingRateLimit`);
  const burstLimit = throttleValue(context, settings.ThrottlingBurstLimit, `${path}.ThrottlingBurstLimit`);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  if (rateLimit === undefined)
    return { rateLimit: Number.POSITIVE_INFINITY, burstLimit: Number.POSITIVE_INFINITY };
  return { rateLimit, burstLimit: burstLimit ?? Math.max(1, rateLimit) };
}

export function httpApiOf(context: StackContext, apiId: string, routes: HttpRouteDef[]): HttpApiDef {
  const { stackService, provider, resolver } = context;
  const httpApi: HttpApiDef = { apiId, stack: stackService };
  const throttle = stageThrottleOf(context, HTTP_API_STAGE);
  if (throttle) httpApi.throttle = throttle;
  const cors = corsOf(
    resolver.resolve(record(provider.httpApi).cors, 'provider.httpApi.cors'),
    routes.map((route) => route.method),
  );
  if (cors) httpApi.cors = cors;
  return httpApi;
}

export function webSocketApiOf(
  context: StackContext,
  apiId: string,
  routes: WebSocketRoute[],
): WebSocketApiDef {
  const { stackService, stage, provider } = context;
  const throttle = stageThrottleOf(context, WEBSOCKET_STAGE);
  return {
    apiId,
    stack: stackService,
    stage,
    routeSelectionExpression: String(
      provider.websocketsApiRouteSelectionExpression ?? '$request.body.action',
    ),
    routes,
    ...(throttle ? { throttle } : {}),
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
