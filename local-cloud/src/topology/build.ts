import type { ListenPorts } from '../listen-ports';
import {
  busNameFromNameOrArn,
  createResolver,
  executeApiUrl,
  queueUrl,
  type Resolver,
  type StackResource,
} from './intrinsics';
import type {
  CorsDef,
  EventBusDef,
  FunctionDef,
  HttpApiDef,
  HttpRouteDef,
  JwtAuthorizerDef,
  QueueDef,
  RuleDef,
  RuleTargetDef,
  ScheduleDef,
  SqsEventSourceDef,
  TableDef,
  Topology,
  WebSocketApiDef,
} from './model';
import type { ResolvedStack } from './resolve-stacks';

export interface BuildTopologyOptions {
  ports: ListenPorts;
  accountId: string;
  /** Used when a stack's provider.region is missing. */
  region: string;
  /** Used when a stack's provider.stage is missing. */
  stage: string;
  /** Host of the local endpoints in URLs (queue URLs, execute-api mapping); default 127.0.0.1. */
  host?: string;
}

type Dict = Record<string, unknown>;

function isRecord(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Dict {
  return isRecord(value) ? value : {};
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function strings(value: unknown): string[] {
  return toList(value).map(String);
}

function numberOr(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

/** serverless' logical id of a function: `create-post` -> `CreateDashpostLambdaFunction`. */
export function lambdaLogicalId(functionName: string): string {
  const normalized = functionName.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

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
    allowedOrigins: explicit && user.allowedOrigins !== undefined ? strings(user.allowedOrigins) : ['*'],
    allowedHeaders:
      explicit && user.allowedHeaders !== undefined ? strings(user.allowedHeaders) : DEFAULT_CORS_HEADERS,
    allowedMethods: [...methods],
    exposedResponseHeaders: explicit ? strings(user.exposedResponseHeaders) : [],
    allowCredentials: explicit && user.allowCredentials === true,
  };
  if (explicit && user.maxAge !== undefined) cors.maxAge = Number(user.maxAge);
  return cors;
}

const METHOD_PATH = /^(?:\*|([A-Z]+) (.+))$/i;

interface StackBuild {
  functions: FunctionDef[];
  httpApi?: HttpApiDef;
  httpRoutes: HttpRouteDef[];
  webSocketApi?: WebSocketApiDef;
  tables: TableDef[];
  queues: QueueDef[];
  queuePolicies: { queueUrls: string[]; document: unknown }[];
  buses: EventBusDef[];
  rules: RuleDef[];
  sqsEventSources: SqsEventSourceDef[];
  schedules: ScheduleDef[];
  warnings: string[];
}

function buildStack(stack: ResolvedStack, options: BuildTopologyOptions): StackBuild {
  const config = stack.config;
  const provider = record(config.provider);
  const serviceValue = config.service;
  const stackService = isRecord(serviceValue) ? String(serviceValue.name) : String(serviceValue);
  const stage = String(provider.stage ?? options.stage);
  const region = String(provider.region ?? options.region);
  const stackName = typeof provider.stackName === 'string' ? provider.stackName : `${stackService}-${stage}`;
  const functionsConfig = record(config.functions);
  const resourcesSection = record(config.resources);
  const resources = record(resourcesSection.Resources) as Record<string, StackResource>;

  const functionNames: Record<string, string> = {};
  for (const [name, fn] of Object.entries(functionsConfig)) {
    const declared = record(fn).name;
    functionNames[lambdaLogicalId(name)] =
      typeof declared === 'string' ? declared : `${stackService}-${stage}-${name}`;
  }
  const events = Object.entries(functionsConfig).flatMap(([name, fn]) =>
    toList(record(fn).events).map((event) => ({ name, event: record(event) })),
  );
  const hasHttp = events.some(({ event }) => event.httpApi !== undefined);
  const hasWebSocket = events.some(({ event }) => event.websocket !== undefined);
  const httpApiId = hasHttp ? `local-${stack.service}-http` : undefined;
  const webSocketApiId = hasWebSocket ? `local-${stack.service}-ws` : undefined;

  const resolver = createResolver({
    stack: stackService,
    stackName,
    region,
    accountId: options.accountId,
    resources,
    conditions: record(resourcesSection.Conditions),
    functionNames,
    ...(httpApiId ? { httpApiId } : {}),
    ...(webSocketApiId ? { webSocketApiId } : {}),
    edgeUrl: `http://${options.host ?? '127.0.0.1'}:${options.ports.edge}`,
  });

  const out: StackBuild = {
    functions: [],
    httpRoutes: [],
    tables: [],
    queues: [],
    queuePolicies: [],
    buses: [],
    rules: [],
    sqsEventSources: [],
    schedules: [],
    warnings: [],
  };

  const providerEnvironment = record(resolver.resolve(provider.environment ?? {}, 'provider.environment'));
  for (const [name, fnValue] of Object.entries(functionsConfig)) {
    const fn = record(fnValue);
    const path = `functions.${name}`;
    const environment: Record<string, string> = {};
    const functionEnvironment = record(resolver.resolve(fn.environment ?? {}, `${path}.environment`));
    for (const [key, value] of Object.entries({ ...providerEnvironment, ...functionEnvironment })) {
      if (isRecord(value) || Array.isArray(value)) {
        throw new Error(`${stackService}: ${path}.environment.${key} does not resolve to a string`);
      }
      environment[key] = String(value);
    }
    if (typeof fn.handler !== 'string') {
      throw new Error(
        `${stackService}: ${path}.handler is missing (image functions are not supported locally)`,
      );
    }
    out.functions.push({
      key: `${stack.service}.${name}`,
      service: stack.service,
      stack: stackService,
      name,
      functionName: functionNames[lambdaLogicalId(name)] ?? `${stackService}-${stage}-${name}`,
      handler: fn.handler,
      serviceDir: stack.dir,
      environment,
      timeoutSeconds: numberOr(fn.timeout, numberOr(provider.timeout, 6)),
      memorySize: numberOr(fn.memorySize, numberOr(provider.memorySize, 1024)),
    });
  }

  const providerHttpApi = record(provider.httpApi);
  const authorizers = record(
    resolver.resolve(providerHttpApi.authorizers ?? {}, 'provider.httpApi.authorizers'),
  );
  const authorizerByName = (reference: unknown, path: string): JwtAuthorizerDef | undefined => {
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

  const webSocketRoutes: { route: string; functionKey: string }[] = [];
  events.forEach(({ name, event }, index) => {
    const functionKey = `${stack.service}.${name}`;
    const path = `functions.${name}.events.${index}`;
    const type = Object.keys(event)[0] ?? '';
    const body = resolver.resolve(event[type], `${path}.${type}`);
    switch (type) {
      case 'httpApi': {
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
          apiId: httpApiId ?? '',
          method,
          path: routePath,
          routeKey: routePath === '*' ? '$default' : `${method} ${routePath}`,
          functionKey,
        };
        const jwt = authorizerByName(authorizer, `${path}.httpApi.authorizer`);
        if (jwt) route.authorizer = jwt;
        out.httpRoutes.push(route);
        break;
      }
      case 'websocket': {
        const route = isRecord(body) ? body.route : body;
        if (typeof route !== 'string')
          throw new Error(`${stackService}: ${path}: websocket event needs a route`);
        webSocketRoutes.push({ route, functionKey });
        break;
      }
      case 'sqs': {
        const settings = isRecord(body) ? body : { arn: body };
        if (typeof settings.arn !== 'string')
          throw new Error(`${stackService}: ${path}: sqs event needs an arn`);
        if (settings.filterPatterns !== undefined) {
          out.warnings.push(`${functionKey}: sqs filterPatterns are ignored locally`);
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
          source.maximumConcurrency = Number(settings.maximumConcurrency);
        }
        out.sqsEventSources.push(source);
        break;
      }
      case 'schedule': {
        const settings = isRecord(body) ? body : { rate: body };
        for (const expression of strings(settings.rate)) {
          const schedule: ScheduleDef = { functionKey, expression, enabled: settings.enabled !== false };
          if (settings.input !== undefined) {
            schedule.input = typeof settings.input === 'string' ? JSON.parse(settings.input) : settings.input;
          }
          out.schedules.push(schedule);
        }
        break;
      }
      default:
        out.warnings.push(`${functionKey}: ${type} events are not emulated locally`);
    }
  });

  if (httpApiId) {
    out.httpApi = { apiId: httpApiId, stack: stackService };
    const cors = corsOf(
      resolver.resolve(providerHttpApi.cors, 'provider.httpApi.cors'),
      out.httpRoutes.map((route) => route.method),
    );
    if (cors) out.httpApi.cors = cors;
  }
  if (webSocketApiId) {
    out.webSocketApi = {
      apiId: webSocketApiId,
      stack: stackService,
      stage,
      routeSelectionExpression: String(
        provider.websocketsApiRouteSelectionExpression ?? '$request.body.action',
      ),
      routes: webSocketRoutes,
    };
  }

  buildResources(resources, resolver, { stackService, region, accountId: options.accountId }, out);
  return out;
}

function buildResources(
  resources: Record<string, StackResource>,
  resolver: Resolver,
  context: { stackService: string; region: string; accountId: string },
  out: StackBuild,
): void {
  const { stackService: stack } = context;
  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `resources.Resources.${logicalId}`;
    const properties = (): Dict => record(resolver.resolve(resource.Properties ?? {}, `${path}.Properties`));
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const props = properties();
        const ttl = record(props.TimeToLiveSpecification);
        const table: TableDef = {
          stack,
          logicalId,
          name: resolver.physicalName(logicalId, path),
          arn: resolver.getAtt(logicalId, 'Arn', path),
          properties: { ...props, TableName: resolver.physicalName(logicalId, path) },
        };
        if (ttl.Enabled === true || ttl.Enabled === 'true') table.ttlAttribute = String(ttl.AttributeName);
        out.tables.push(table);
        break;
      }
      case 'AWS::SQS::Queue': {
        const props = properties();
        const name = resolver.physicalName(logicalId, path);
        const redrive =
          typeof props.RedrivePolicy === 'string' ? JSON.parse(props.RedrivePolicy) : props.RedrivePolicy;
        const queue: QueueDef = {
          stack,
          logicalId,
          name,
          arn: resolver.getAtt(logicalId, 'Arn', path),
          fifo: props.FifoQueue === true || props.FifoQueue === 'true' || name.endsWith('.fifo'),
          visibilityTimeoutSeconds: numberOr(props.VisibilityTimeout, 30),
          messageRetentionSeconds: numberOr(props.MessageRetentionPeriod, 345_600),
          delaySeconds: numberOr(props.DelaySeconds, 0),
          receiveWaitTimeSeconds: numberOr(props.ReceiveMessageWaitTimeSeconds, 0),
          policies: [],
        };
        if (isRecord(redrive)) {
          queue.redrive = {
            deadLetterTargetArn: String(redrive.deadLetterTargetArn),
            maxReceiveCount: numberOr(redrive.maxReceiveCount, 1),
          };
        }
        out.queues.push(queue);
        break;
      }
      case 'AWS::SQS::QueuePolicy': {
        const props = properties();
        out.queuePolicies.push({ queueUrls: strings(props.Queues), document: props.PolicyDocument });
        break;
      }
      case 'AWS::Events::EventBus':
        out.buses.push({
          stack,
          name: resolver.physicalName(logicalId, path),
          arn: resolver.getAtt(logicalId, 'Arn', path),
        });
        break;
      case 'AWS::Events::Rule': {
        const props = properties();
        const pattern =
          typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern;
        if (props.ScheduleExpression !== undefined) {
          out.warnings.push(
            `${stack}: rule ${logicalId} has a ScheduleExpression; only function schedules run`,
          );
        }
        const rule: RuleDef = {
          stack,
          logicalId,
          name: resolver.physicalName(logicalId, path),
          arn: resolver.getAtt(logicalId, 'Arn', path),
          busName:
            props.EventBusName === undefined ? 'default' : busNameFromNameOrArn(String(props.EventBusName)),
          eventPattern: pattern,
          state: props.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          targets: toList(props.Targets).map((value) => targetOf(record(value))),
        };
        if (typeof props.Description === 'string') rule.description = props.Description;
        out.rules.push(rule);
        break;
      }
    }
  }
}

function targetOf(target: Dict): RuleTargetDef {
  const def: RuleTargetDef = { id: String(target.Id), arn: String(target.Arn) };
  const retry = record(target.RetryPolicy);
  if (target.RetryPolicy !== undefined) {
    def.retryPolicy = {};
    if (retry.MaximumRetryAttempts !== undefined)
      def.retryPolicy.maximumRetryAttempts = Number(retry.MaximumRetryAttempts);
    if (retry.MaximumEventAgeInSeconds !== undefined) {
      def.retryPolicy.maximumEventAgeInSeconds = Number(retry.MaximumEventAgeInSeconds);
    }
  }
  const deadLetter = record(target.DeadLetterConfig);
  if (typeof deadLetter.Arn === 'string') def.deadLetterArn = deadLetter.Arn;
  if (typeof target.InputPath === 'string') def.inputPath = target.InputPath;
  if (typeof target.Input === 'string') def.input = target.Input;
  return def;
}

/**
 * Like LocalStack's DNS: an execute-api URL of a local API (https/wss, optional
 * stage path) becomes the local gateway's URL with the same path.
 */
export function mapExecuteApiUrls(
  value: string,
  apis: { apiId: string; kind: 'http' | 'websocket' }[],
  region: string,
  ports: ListenPorts,
  host = '127.0.0.1',
): string {
  let mapped = value;
  for (const { apiId, kind } of apis) {
    const port = kind === 'http' ? ports.http : ports.websocket;
    mapped = mapped
      .split(executeApiUrl(apiId, region, 'https'))
      .join(`http://${host}:${port}`)
      .split(executeApiUrl(apiId, region, 'wss'))
      .join(`ws://${host}:${port}`);
  }
  return mapped;
}

/** Builds the topology from the stacks osls resolved (pure: no files, no processes). */
export function buildTopology(stacks: ResolvedStack[], options: BuildTopologyOptions): Topology {
  const builds = stacks.map((stack) => buildStack(stack, options));
  const firstProvider = record(stacks[0]?.config.provider);
  const region = String(firstProvider.region ?? options.region);
  const stage = String(firstProvider.stage ?? options.stage);

  const apis = builds.flatMap((build) => [
    ...(build.httpApi ? [{ apiId: build.httpApi.apiId, kind: 'http' as const }] : []),
    ...(build.webSocketApi ? [{ apiId: build.webSocketApi.apiId, kind: 'websocket' as const }] : []),
  ]);
  const functions = builds.flatMap((build) => build.functions);
  for (const fn of functions) {
    for (const [key, value] of Object.entries(fn.environment)) {
      fn.environment[key] = mapExecuteApiUrls(value, apis, region, options.ports, options.host);
    }
  }

  const queues = builds.flatMap((build) => build.queues);
  const edgeUrl = `http://${options.host ?? '127.0.0.1'}:${options.ports.edge}`;
  for (const { queueUrls, document } of builds.flatMap((build) => build.queuePolicies)) {
    for (const url of queueUrls) {
      const queue = queues.find((candidate) => queueUrl(edgeUrl, options.accountId, candidate.name) === url);
      if (queue) queue.policies.push(document);
    }
  }

  const topology: Topology = {
    region,
    accountId: options.accountId,
    stage,
    functions,
    httpApis: builds.flatMap((build) => (build.httpApi ? [build.httpApi] : [])),
    httpRoutes: builds.flatMap((build) => build.httpRoutes),
    webSocketApis: builds.flatMap((build) => (build.webSocketApi ? [build.webSocketApi] : [])),
    tables: builds.flatMap((build) => build.tables),
    queues,
    buses: builds.flatMap((build) => build.buses),
    rules: builds.flatMap((build) => build.rules),
    sqsEventSources: builds.flatMap((build) => build.sqsEventSources),
    schedules: builds.flatMap((build) => build.schedules),
  };
  const warnings = builds.flatMap((build) => build.warnings);
  if (warnings.length > 0) topology.warnings = warnings;
  checkTopology(topology);
  return topology;
}

/** Fails on what AWS would reject at deploy time and the local cloud cannot serve. */
function checkTopology(topology: Topology): void {
  const routeKeys = new Map<string, string>();
  for (const route of topology.httpRoutes) {
    const other = routeKeys.get(route.routeKey);
    if (other && other !== route.functionKey) {
      throw new Error(`HTTP route ${route.routeKey} is declared by both ${other} and ${route.functionKey}`);
    }
    routeKeys.set(route.routeKey, route.functionKey);
  }
  const queueArns = new Set(topology.queues.map((queue) => queue.arn));
  for (const source of topology.sqsEventSources) {
    if (!queueArns.has(source.queueArn)) {
      throw new Error(
        `${source.functionKey}: sqs event source ${source.queueArn} is not a queue of any stack`,
      );
    }
  }
}
