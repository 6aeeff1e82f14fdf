import type { ListenPorts } from '../listen-ports';
import { httpApiOf, webSocketApiOf } from './apis';
import { eventsOf } from './events';
import { functionsOf } from './functions';
import { executeApiUrl, queueUrl } from './intrinsics';
import type {
  FunctionDef,
  HttpApiDef,
  HttpRouteDef,
  RoleDef,
  ScheduleDef,
  SqsEventSourceDef,
  Topology,
  WebSocketApiDef,
} from './model';
import type { ResolvedStack } from './resolve-stacks';
import { resourcesOf, type StackResources } from './resources';
import { rolesOf } from './roles';
import { readStack, record } from './stack';

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

/** What one stack declares, before the stacks are joined into one topology. */
interface StackBuild extends StackResources {
  functions: FunctionDef[];
  httpApi?: HttpApiDef;
  httpRoutes: HttpRouteDef[];
  webSocketApi?: WebSocketApiDef;
  sqsEventSources: SqsEventSourceDef[];
  schedules: ScheduleDef[];
  roles: RoleDef[];
}

const edgeUrlOf = (options: BuildTopologyOptions) =>
  `http://${options.host ?? '127.0.0.1'}:${options.ports.edge}`;

/** One stack's part of the topology: functions, then their events, then the APIs they make, then resources. */
function buildStack(stack: ResolvedStack, options: BuildTopologyOptions): StackBuild {
  const context = readStack(stack, {
    accountId: options.accountId,
    region: options.region,
    stage: options.stage,
    edgeUrl: edgeUrlOf(options),
  });
  const functions = functionsOf(context);
  const { webSocketRoutes, warnings, ...events } = eventsOf(context);
  const { httpApiId, webSocketApiId } = context;
  const httpApi = httpApiId ? httpApiOf(context, httpApiId, events.httpRoutes) : undefined;
  const webSocketApi = webSocketApiId ? webSocketApiOf(context, webSocketApiId, webSocketRoutes) : undefined;
  const resources = resourcesOf(context);
  const roles = rolesOf(context, functions, events.sqsEventSources);
  return {
    functions,
    roles,
    ...(httpApi ? { httpApi } : {}),
    ...(webSocketApi ? { webSocketApi } : {}),
    ...events,
    ...resources,
    warnings: [...warnings, ...resources.warnings],
  };
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
  const edgeUrl = edgeUrlOf(options);
  for (const { queueUrls, document } of builds.flatMap((build) => build.queuePolicies)) {
    for (const url of queueUrls) {
      const queue = queues.find((candidate) => queueUrl(edgeUrl, options.accountId, candidate.name) === url);
      if (queue) queue.policies.push(document);
    }
  }

  const buses = builds.flatMap((build) => build.buses);
  for (const { busName, statement } of builds.flatMap((build) => build.busPolicies)) {
    const bus = buses.find((candidate) => candidate.name === busName);
    if (bus) bus.policy = [...(bus.policy ?? []), statement];
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
    buses,
    rules: builds.flatMap((build) => build.rules),
    sqsEventSources: builds.flatMap((build) => build.sqsEventSources),
    schedules: builds.flatMap((build) => build.schedules),
    roles: builds.flatMap((build) => build.roles),
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
