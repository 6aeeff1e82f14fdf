/**
 * The functions' events as the local cloud serves them: HTTP routes (with
 * their JWT authorizers), WebSocket routes, SQS event source mappings and
 * schedules. Other event types are reported as not emulated.
 */

import type { HttpRouteDef, JwtAuthorizerDef, ScheduleDef, SqsEventSourceDef } from './model';
import { isRecord, numberOr, record, type StackContext, strings } from './stack';

/** One event of one function with its settings resolved. */
interface FunctionEvent {
  /** The serverless `service:` name, for messages. */
  stackService: string;
  functionKey: string;
  /** `functions.<name>.events.<index>`, for messages. */
  path: string;
  body: unknown;
}

export interface WebSocketRoute {
  route: string;
  functionKey: string;
}

export interface StackEvents {
  httpRoutes: HttpRouteDef[];
  webSocketRoutes: WebSocketRoute[];
  sqsEventSources: SqsEventSourceDef[];
  schedules: ScheduleDef[];
  warnings: string[];
}

type AuthorizerOf = (reference: unknown, path: string) => JwtAuthorizerDef | undefined;

const METHOD_PATH = /^(?:\*|([A-Z]+) (.+))$/i;

export function eventsOf(context: StackContext): StackEvents {
  const { stack, stackService, resolver } = context;
  const authorizerOf = jwtAuthorizers(context);
  const out: StackEvents = {
    httpRoutes: [],
    webSocketRoutes: [],
    sqsEventSources: [],
    schedules: [],
    warnings: [],
  };
  context.events.forEach(({ name, event }, index) => {
    const functionKey = `${stack.service}.${name}`;
    const path = `functions.${name}.events.${index}`;
    const type = Object.keys(event)[0] ?? '';
    const declared = {
      stackService,
      functionKey,
      path,
      body: resolver.resolve(event[type], `${path}.${type}`),
    };
    switch (type) {
      case 'httpApi':
        out.httpRoutes.push(httpRouteOf(declared, context.httpApiId ?? '', authorizerOf));
        break;
      case 'websocket':
        out.webSocketRoutes.push(webSocketRouteOf(declared));
        break;
      case 'sqs':
        out.sqsEventSources.push(sqsEventSourceOf(declared, out.warnings));
        break;
      case 'schedule':
        out.schedules.push(...schedulesOf(declared));
        break;
      default:
        out.warnings.push(`${functionKey}: ${type} events are not emulated locally`);
    }
  });
  return out;
}

/** The JWT authorizers of provider.httpApi.authorizers, looked up as a route names them. */
function jwtAuthorizers({ stackService, provider, resolver }: StackContext): AuthorizerOf {
  const providerHttpApi = record(provider.httpApi);
  const authorizers = record(
    resolver.resolve(providerHttpApi.authorizers ?? {}, 'provider.httpApi.authorizers'),
  );
  return (reference, path) => {
    if (reference === undefined || reference === null) return undefined;
    const name = isRecord(reference) ? reference.name : reference;
    if (isRecord(reference) && reference.type === 'aws_iam') {
      throw new Error(`${stackService}: ${path}: aws_iam authorizers are not supported locally`);
    }
    if (typeof name !== 'string') throw new Error(`${stackService}: ${path}: authorizer needs a name`);
    const definition = authorizers[name];
    if (!isRecord(definition)) {
      throw new Error(`${stackService}: ${path}: authorizer ${name} is not in provider.httpApi.authorizers`);
    }
    if (definition.type === 'request') {
      throw new Error(`${stackService}: ${path}: Lambda (request) authorizers are not supported locally`);
    }
    return {
      name: typeof definition.name === 'string' ? definition.name : name,
      issuerUrl: String(definition.issuerUrl),
      audience: strings(definition.audience),
      identitySource: strings(definition.identitySource)[0] ?? '$request.header.Authorization',
    };
  };
}

/** `httpApi: 'GET /path'`, `httpApi: '*'` or `httpApi: { method, path, authorizer }`. */
function httpRouteOf(
  { stackService, functionKey, path, body }: FunctionEvent,
  apiId: string,
  authorizerOf: AuthorizerOf,
): HttpRouteDef {
  let method: string;
  let routePath: string;
  let authorizer: unknown;
  if (isRecord(body)) {
    method = String(body.method ?? '').toUpperCase();
    routePath = String(body.path ?? '');
    authorizer = body.authorizer;
    if (routePath === '*') method = 'ANY';
  } else {
    const match = METHOD_PATH.exec(String(body));
    if (!match) throw new Error(`${stackService}: ${path}: bad httpApi route ${String(body)}`);
    method = (match[1] ?? 'ANY').toUpperCase();
    routePath = match[2] ?? '*';
  }
  if (method === '*') method = 'ANY';
  const route: HttpRouteDef = {
    apiId,
    method,
    path: routePath,
    routeKey: routePath === '*' ? '$default' : `${method} ${routePath}`,
    functionKey,
  };
  const jwt = authorizerOf(authorizer, `${path}.httpApi.authorizer`);
  if (jwt) route.authorizer = jwt;
  return route;
}

/** `websocket: $connect` or `websocket: { route }`. */
function webSocketRouteOf({ stackService, functionKey, path, body }: FunctionEvent): WebSocketRoute {
  const route = isRecord(body) ? body.route : body;
  if (typeof route !== 'string') throw new Error(`${stackService}: ${path}: websocket event needs a route`);
  return { route, functionKey };
}

/** `sqs: <arn>` or `sqs: { arn, batchSize, ... }`, with Lambda's defaults. */
function sqsEventSourceOf(
  { stackService, functionKey, path, body }: FunctionEvent,
  warnings: string[],
): SqsEventSourceDef {
  const settings = isRecord(body) ? body : { arn: body };
  if (typeof settings.arn !== 'string') throw new Error(`${stackService}: ${path}: sqs event needs an arn`);
  if (settings.filterPatterns !== undefined) {
    warnings.push(`${functionKey}: sqs filterPatterns are ignored locally`);
  }
  const source: SqsEventSourceDef = {
    functionKey,
    queueArn: settings.arn,
    batchSize: numberOr(settings.batchSize, 10),
    maximumBatchingWindowSeconds: numberOr(settings.maximumBatchingWindow, 0),
    reportBatchItemFailures: settings.functionResponseType === 'ReportBatchItemFailures',
    enabled: settings.enabled !== false,
  };
  if (settings.maximumConcurrency !== undefined) {
    const maximum = Number(settings.maximumConcurrency);
    // AWS refuses anything outside 2 to 1000 (ScalingConfig.MaximumConcurrency).
    if (!Number.isInteger(maximum) || maximum < 2 || maximum > 1000) {
      throw new Error(
        `${stackService}: ${path}.sqs.maximumConcurrency must be a whole number from 2 to 1000, not ${String(settings.maximumConcurrency)}`,
      );
    }
    source.maximumConcurrency = maximum;
  }
  return source;
}

/** `schedule: rate(...)` or `schedule: { rate: [...], enabled, input }`: one schedule per expression. */
function schedulesOf({ functionKey, body }: FunctionEvent): ScheduleDef[] {
  const settings = isRecord(body) ? body : { rate: body };
  return strings(settings.rate).map((expression) => {
    const schedule: ScheduleDef = { functionKey, expression, enabled: settings.enabled !== false };
    if (settings.input !== undefined) {
      schedule.input = typeof settings.input === 'string' ? JSON.parse(settings.input) : settings.input;
    }
    return schedule;
  });
}
