import { resolve } from 'node:path';
import { startWebApp } from '@live-comments/web/server';
import { createOperatorConsole, type OperatorConsole } from './console/console';
import { readDashboards } from './console/dashboards';
import { createConsoleRoutes } from './console/routes';
import { countTopics, inspectQueue, redriveThroughEdge } from './console/sources';
import { type Edge, startEdge } from './edge';
import type { DeliveryMetrics } from './eventbridge/delivery';
import { connectExternalEdge, type ExternalEdge } from './external-edge';
import { createFaults, type FaultOptions } from './faults';
import {
  createLocalIssuer,
  type HttpGatewayMetrics,
  type LocalIssuer,
  noWebSocketMetrics,
  startHttpGateway,
  startWebSocketGateway,
  type WebSocketGatewayMetrics,
} from './gateways';
import { urlHost } from './gateways/listen';
import { createLocalRoutes } from './gateways/local-routes';
import { createLocalHealth } from './health';
import { createIamRegistry, eventSourceRoleProblems } from './iam';
import { localInfo } from './info';
import { type FunctionMetrics, startLambdaRuntime } from './lambda';
import type { LambdaInvoker } from './lambda/invoker';
import { createThrottles, type LimitsOptions } from './limits';
import { assertPortsFree, defaultPorts, freePorts, type ListenPorts } from './listen-ports';
import type { LogEntry, LogFormat } from './logs';
import { createLogJournal, type LogJournal } from './logs/journal';
import {
  checkFaultedFunctions,
  type LocalSettings,
  localSettings,
  overrideReservedConcurrency,
  scaleVisibilityTimeouts,
} from './settings';
import { SettingsError } from './settings-error';
import { loadTopology } from './topology';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE, type Topology } from './topology/model';
import { inProcessSqs, startTriggers } from './triggers';

export type { DeliveryMetrics, LostEvent, RuleMetrics } from './eventbridge/delivery';
export type { ExternalEdge, ExternalEdgeHealth, ExternalEdgeProduct } from './external-edge';
export type { FaultOptions } from './faults';
export type { FunctionMetrics } from './lambda';
export type { Limits, LimitsOptions } from './limits';
export type { ListenPorts } from './listen-ports';
export type { LocalSettings } from './settings';
export type { Topology } from './topology/model';

export interface LocalCloudOptions {
  /** The repository root (holds events/ and services/). */
  root?: string;
  /** Fixed ports (default 8000, 3001, 4566 or LC_*_PORT), or 'free' to pick unused ones (test suites). */
  ports?: Partial<ListenPorts> | 'free';
  host?: string;
  /** Rebuild and reload functions when their code changes (npm run dev). */
  watch?: boolean;
  /** Function logs: readable, raw Powertools JSON, or not shown. */
  logs?: LogFormat | 'off';
  /** Receives every function log line (then nothing is printed), e.g. for tests that read the logs. */
  onLog?: (entry: LogEntry) => void;
  /** Progress messages of the local cloud itself. */
  say?: (message: string) => void;
  /** The local cloud's own warnings and errors (edge, EventBridge delivery, triggers); default stderr. */
  log?: (message: string) => void;
  /**
   * API Gateway's account-level throttling; AWS's defaults (10,000 requests/s, burst
   * 5,000; 500 new connections/s) unless set here or by LC_ACCOUNT_RPS,
   * LC_ACCOUNT_BURST, LC_NEW_CONNECTIONS_RPS.
   */
  limits?: LimitsOptions;
  /** Faults to inject (tests, benchmarks); default LC_FAULTS (JSON), else none. */
  faults?: FaultOptions;
  /** Multiplies every SQS queue's visibility timeout (tests, benchmarks); default LC_VISIBILITY_SCALE, else 1. */
  visibilityTimeoutScale?: number;
  /** Sets functions' reserved concurrency over what the stacks declare, by function key (null removes it). */
  reservedConcurrency?: Record<string, number | null>;
  /**
   * Stage parameters over the stacks' own (`--param key=value` to every stack, as
   * `npm run deploy` passes them), e.g. lower write limits or stage throttling for a test.
   */
  params?: Record<string, string>;
  /**
   * LocalStack's or moto's URL: the tables, queues, bus and rules are
   * provisioned there and the functions and pollers use it, instead of the
   * embedded edge. Default LC_EDGE_URL, else the embedded edge.
   */
  edgeUrl?: string;
}

/** Which AWS edge the cloud uses: its own, or LocalStack's or moto's (LC_EDGE_URL). */
export type EdgeInUse =
  | { kind: 'embedded'; url: string }
  | { kind: 'external'; url: string; product: ExternalEdge['product']; differences: string[] };

/** What the local cloud counted since the start or the last reset. */
export interface LocalCloudMetrics {
  /** Per rule (AWS/Events), and the events that reached neither a target nor a DLQ. */
  eventBridge: DeliveryMetrics;
  /** Per function key (AWS/Lambda). */
  lambda: Record<string, FunctionMetrics>;
  http: HttpGatewayMetrics;
  webSocket: WebSocketGatewayMetrics;
}

export interface LocalCloud {
  ports: ListenPorts;
  urls: { http: string; websocket: string; edge: string; connections: string; web: string; console: string };
  issuerUrl: string;
  /** Mints a token as `POST /_local/token` does, with claims over it (tests of tokens to refuse). */
  issueToken: LocalIssuer['issueToken'];
  topology: Topology;
  /** The embedded edge's services in process; throws when the cloud uses an external edge (see `edgeInUse`). */
  readonly edge: Edge;
  edgeInUse: EdgeInUse;
  /** Invokes a function and waits for its result, as Lambda's Invoke API does (tests, scripts). */
  invoke: LambdaInvoker['invoke'];
  /** The functions' recent log lines (`GET /_local/logs`, `npm run logs`). */
  logs: LogJournal;
  /** The operator's console's data, its page at `urls.console` (embedded edge only: an external edge has its own tools). */
  operatorConsole: OperatorConsole | undefined;
  /** The limits, faults and visibility scale in force. */
  settings: LocalSettings & { faultLines: string[] };
  metrics(): LocalCloudMetrics;
  resetMetrics(): void;
  startedInMs: number;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The stacks' default `jwtIssuer` param: the local issuer on the default port. */
const STACK_DEFAULT_ISSUER = 'http://localhost:8000/_local';

/** Rewrites every function's environment values with `move`. */
const moveEnvironment = (topology: Topology, move: (value: string) => string) => {
  for (const fn of topology.functions) {
    for (const [key, value] of Object.entries(fn.environment)) fn.environment[key] = move(value);
  }
};

/**
 * Points the JWT authorizers and the functions' environment at the local
 * issuer on the port actually in use. Done after osls resolved the stacks,
 * rather than as a --param, so the resolved stacks stay cached whatever the
 * ports (test suites take free ones on every run).
 */
const relocateIssuer = (topology: Topology, from: string, to: string): Topology => {
  if (from === to) return topology;
  const move = (value: string) => (value === from ? to : value);
  moveEnvironment(topology, move);
  for (const route of topology.httpRoutes) {
    if (route.authorizer)
      route.authorizer = { ...route.authorizer, issuerUrl: move(route.authorizer.issuerUrl) };
  }
  return topology;
};

/** The stacks' default `allowedOrigins` param: the web app on the default port. */
const STACK_DEFAULT_ORIGIN = 'http://localhost:3000';

/**
 * Admits the web app on the port actually in use wherever the stacks allow
 * browser origins: the functions' environment (connections' ALLOWED_ORIGINS,
 * a comma-separated list) and the HTTP APIs' CORS allowlists. Done after osls,
 * as for the issuer, so the cached stacks do not depend on the ports.
 */
const relocateOrigin = (topology: Topology, from: string, to: string): Topology => {
  if (from === to) return topology;
  const move = (origin: string) => (origin.trim() === from ? to : origin);
  moveEnvironment(topology, (value) => (value.includes(from) ? value.split(',').map(move).join(',') : value));
  for (const api of topology.httpApis) {
    if (api.cors) api.cors = { ...api.cors, allowedOrigins: api.cors.allowedOrigins.map(move) };
  }
  return topology;
};

/** The stacks' default URL of the stage's HTTP API (comments' `postsApiUrl` param): the HTTP gateway on the default port. */
const STACK_DEFAULT_HTTP_API = 'http://localhost:8000';

/**
 * Points the functions that call the stage's HTTP API (comments'
 * POSTS_API_URL) at the HTTP gateway in use; done after osls, as for the
 * issuer. In AWS the stage passes the posts stack's HttpApiUrl instead.
 */
const relocateHttpApi = (topology: Topology, from: string, to: string): Topology => {
  if (from !== to) moveEnvironment(topology, (value) => (value === from ? to : value));
  return topology;
};

/** Points the functions' queue URLs (connections' FANOUT_QUEUE_URL) at an external edge. */
const relocateEdge = (topology: Topology, from: string, to: string): Topology => {
  if (from !== to)
    moveEnvironment(topology, (value) =>
      value === from || value.startsWith(`${from}/`) ? to + value.slice(from.length) : value,
    );
  return topology;
};

const NO_DELIVERY_METRICS: DeliveryMetrics = { rules: [], lostEvents: 0, lost: [] };

type Started<T> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * Waits for servers started side by side, and registers a stopper for each
 * one that came up, even when another failed (a port taken, a web app that
 * does not build), so that stopping leaves nothing listening.
 */
const startTogether = async <T extends readonly Promise<{ stop(): Promise<void> }>[]>(
  stoppers: (() => Promise<void>)[],
  ...starting: T
): Promise<Started<T>> => {
  const settled = await Promise.allSettled(starting);
  for (const one of settled) if (one.status === 'fulfilled') stoppers.push(() => one.value.stop());
  const failed = settled.find((one) => one.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((one) => (one as PromiseFulfilledResult<unknown>).value) as Started<T>;
};

/**
 * Stands the whole system up on this machine: the topology read from the
 * stacks' serverless.yml, the AWS edge with every table, queue, bus and rule
 * provisioned, the functions in a Lambda-like runtime, their SQS and schedule
 * triggers, the HTTP and WebSocket gateways in front, and the web app.
 */
export const startLocalCloud = async (options: LocalCloudOptions = {}): Promise<LocalCloud> => {
  const started = performance.now();
  const root = options.root ?? ROOT;
  const host = options.host ?? process.env.LC_HOST ?? '127.0.0.1';
  const say = options.say ?? (() => {});
  const settings = localSettings(options);
  const faults = createFaults(settings.faults);
  const throttles = createThrottles(settings.limits);
  const ports = options.ports === 'free' ? await freePorts(host) : { ...defaultPorts(), ...options.ports };
  const externalUrl = settings.edgeUrl;
  if (externalUrl && faults.targetRefusal) {
    throw new SettingsError(
      'faults',
      `rule target refusals are injected in the embedded edge; LC_EDGE_URL (${externalUrl}) delivers on its own`,
    );
  }
  const { edge: edgePort, ...listening } = ports;
  await assertPortsFree(externalUrl ? listening : ports, host);

  const issuerUrl = `http://localhost:${ports.http}/_local`;
  // The browser must open the web app at this origin: the one the stacks allow.
  const webOrigin = `http://localhost:${ports.web}`;
  const stoppers: (() => Promise<void>)[] = [];
  // Every function line is kept for `npm run logs`, whatever is shown.
  const journal = createLogJournal();
  // Set once the edge and the gateways it reads are up; function lines and invocations come earlier.
  let operatorConsole: OperatorConsole | undefined;
  const onLog = (entry: LogEntry) => {
    journal.record(entry);
    operatorConsole?.observeLog(entry);
    if (options.onLog) options.onLog(entry);
    else if (options.logs !== 'off') process.stdout.write(`${entry.formatted}\n`);
  };
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => {});
    stoppers.length = 0;
  };

  // Each function's credentials and role, verified and evaluated by the edge and @connections.
  const iam = createIamRegistry({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID });
  try {
    const [topology, edge, issuer] = await Promise.all([
      loadTopology({
        root,
        stage: LOCAL_STAGE,
        region: LOCAL_REGION,
        ports,
        ...(options.params ? { params: options.params } : {}),
      }).then((resolved) =>
        relocateEdge(
          relocateHttpApi(
            relocateOrigin(
              relocateIssuer(resolved, STACK_DEFAULT_ISSUER, issuerUrl),
              STACK_DEFAULT_ORIGIN,
              webOrigin,
            ),
            STACK_DEFAULT_HTTP_API,
            `http://${urlHost(host)}:${ports.http}`,
          ),
          `http://127.0.0.1:${edgePort}`,
          externalUrl ?? `http://127.0.0.1:${edgePort}`,
        ),
      ),
      externalUrl
        ? connectExternalEdge({ url: externalUrl, region: LOCAL_REGION })
        : startEdge({
            port: ports.edge,
            host,
            region: LOCAL_REGION,
            accountId: LOCAL_ACCOUNT_ID,
            iam,
            ...(faults.targetRefusal ? { targetRefusal: faults.targetRefusal } : {}),
            ...(options.log ? { log: options.log } : {}),
          }),
      createLocalIssuer({ issuerUrl }),
    ]);
    stoppers.push(() => edge.stop());
    iam.register(topology);
    const unmappable = eventSourceRoleProblems(topology, iam);
    if (unmappable.length > 0) throw new Error(unmappable.join('\n'));
    checkFaultedFunctions(topology, settings.faults);
    if (options.reservedConcurrency) overrideReservedConcurrency(topology, options.reservedConcurrency);
    const scaled = scaleVisibilityTimeouts(topology, settings.visibilityTimeoutScale);
    if (scaled.length > 0) {
      say(
        `SQS visibility timeouts scaled by ${settings.visibilityTimeoutScale} (visibilityTimeoutScale / LC_VISIBILITY_SCALE): ${scaled.join(', ')}`,
      );
    }
    say(
      `topology: ${topology.functions.length} functions in ${new Set(topology.functions.map((f) => f.service)).size} services`,
    );

    const embedded = 'kind' in edge ? undefined : edge;
    const external = 'kind' in edge ? edge : undefined;
    if (external)
      say(`AWS edge: ${external.product} at ${external.url} (LC_EDGE_URL); provisioning the topology there`);
    const [runtime, differences] = await Promise.all([
      startLambdaRuntime({
        root,
        topology,
        edgeUrl: edge.url,
        watch: options.watch ?? false,
        logFormat: options.logs === 'json' ? 'json' : 'pretty',
        onLog,
        onRebuild: (changed, errors) => {
          if (changed.length > 0) say(`reloaded ${changed.join(', ')}`);
          for (const error of errors) say(`build failed: ${error}`);
        },
        ...(faults.functionFailure ? { injectFailure: faults.functionFailure } : {}),
        onInvoked: (functionKey, result) => operatorConsole?.observeInvocation(functionKey, result),
        // An external edge knows only its own credentials (LocalStack and moto take `test`).
        ...(externalUrl ? {} : { credentialsOf: (functionKey: string) => iam.credentialsOf(functionKey) }),
      }),
      external ? external.provision(topology) : edge.provision(topology).then(() => []),
    ]);
    stoppers.push(() => runtime.stop());
    const edgeInUse: EdgeInUse = external
      ? { kind: 'external', url: external.url, product: external.product, differences }
      : { kind: 'embedded', url: edge.url };

    const triggers = startTriggers({
      topology,
      invoker: runtime,
      edgeUrl: edge.url,
      // On an external edge the pollers use the SDK over HTTP, as Lambda's do.
      ...(embedded ? { sqs: inProcessSqs(embedded.sqs) } : {}),
      region: LOCAL_REGION,
      ...(options.log ? { log: options.log } : options.logs === 'off' ? { log: () => {} } : {}),
    });
    stoppers.push(() => triggers.stop());

    const urls = {
      http: `http://${urlHost(host)}:${ports.http}`,
      websocket: `ws://${urlHost(host)}:${ports.websocket}`,
    };
    const allUrls = {
      ...urls,
      edge: edge.url,
      connections: `http://${urlHost(host)}:${ports.websocket}/${LOCAL_STAGE}`,
      web: webOrigin,
    };
    let openConnections = () => 0;
    let webSocketMetrics = noWebSocketMetrics;
    const subscriptionsTable = topology.functions.find((fn) => fn.environment.SUBSCRIPTIONS_TABLE)
      ?.environment.SUBSCRIPTIONS_TABLE;
    const dlqNames = new Set(
      [
        ...topology.queues.flatMap((queue) => (queue.redrive ? [queue.redrive.deadLetterTargetArn] : [])),
        ...topology.rules.flatMap((rule) => rule.targets.flatMap((target) => target.deadLetterArn ?? [])),
      ].map((arn) => arn.split(':').at(-1) ?? arn),
    );
    // The console reads the embedded edge in process; an external edge has its own tools.
    if (embedded) {
      const edge = embedded;
      operatorConsole = createOperatorConsole({
        topology,
        lambda: () => runtime.metrics(),
        eventBridge: () => edge.eventBridge.metrics(),
        recentEvents: () => edge.eventBridge.recentEvents(),
        webSocket: () => webSocketMetrics(),
        openConnections: () => openConnections(),
        queues: async () =>
          (
            await Promise.all(
              topology.queues.map((queue) =>
                inspectQueue(edge, queue.name, dlqNames.has(queue.name) ? 20 : 0),
              ),
            )
          ).flatMap((queue) => (queue ? [queue] : [])),
        topics: async () => (subscriptionsTable ? countTopics(edge, subscriptionsTable) : []),
        journal,
        dashboards: () =>
          readDashboards(
            [...new Map(topology.functions.map((fn) => [fn.service, fn.serviceDir]))].map(
              ([service, dir]) => ({
                service,
                dir,
              }),
            ),
            topology.stage,
          ),
        redrive: (queue) => redriveThroughEdge(edge, queue),
      });
    }
    stoppers.push(async () => operatorConsole?.stop());
    const health = createLocalHealth({
      topology,
      urls: allUrls,
      startedAt: Date.now() - Math.round(performance.now() - started),
      openConnections: () => openConnections(),
      ...(external ? { edgeHealth: () => external.health() } : {}),
    });
    const localRoutes = createLocalRoutes({
      journal,
      health,
      info: () => localInfo(topology, allUrls, edgeInUse),
      ...(operatorConsole ? { console: createConsoleRoutes(operatorConsole) } : {}),
    });
    const [http, websocket, web] = await startTogether(
      stoppers,
      startHttpGateway({
        port: ports.http,
        host,
        topology,
        invoker: runtime,
        issuer,
        stage: LOCAL_STAGE,
        throttle: throttles.account,
        localRoutes,
        onRequest: (request) => operatorConsole?.observeRequest(request),
      }),
      startWebSocketGateway({
        port: ports.websocket,
        host,
        topology,
        invoker: runtime,
        stage: LOCAL_STAGE,
        throttle: throttles.account,
        connectionThrottle: throttles.newConnections,
        iam,
        health,
        ...(faults.connectionsFault ? { connectionsFault: faults.connectionsFault } : {}),
      }),
      startWebApp({
        port: ports.web,
        host,
        origin: webOrigin,
        apiUrl: urls.http,
        websocketUrl: urls.websocket,
        watch: options.watch ?? false,
        say,
        onRebuild: (errors) => {
          say(errors.length === 0 ? 'rebuilt the web app' : `web app build failed: ${errors.join('\n')}`);
        },
      }),
    );

    openConnections = () => websocket.connections.size;
    webSocketMetrics = () => websocket.metrics();
    return {
      ports,
      urls: {
        ...urls,
        edge: edge.url,
        connections: websocket.managementEndpoint,
        web: web.url,
        console: `${urls.http}/_local/console`,
      },
      issuerUrl,
      issueToken: (input) => issuer.issueToken(input),
      topology,
      get edge(): Edge {
        if (!embedded) {
          throw new Error(
            `the local cloud uses the external edge ${edge.url} (LC_EDGE_URL): the embedded edge's services are not running`,
          );
        }
        return embedded;
      },
      edgeInUse,
      invoke: (functionKey, event) => runtime.invoke(functionKey, event),
      logs: journal,
      operatorConsole,
      settings: { ...settings, faultLines: faults.describe() },
      metrics: () => ({
        // An external edge's EventBridge keeps its own figures (if any).
        eventBridge: embedded ? embedded.eventBridge.metrics() : NO_DELIVERY_METRICS,
        lambda: runtime.metrics(),
        http: http.metrics(),
        webSocket: websocket.metrics(),
      }),
      resetMetrics() {
        embedded?.eventBridge.resetMetrics();
        runtime.resetMetrics();
        http.resetMetrics();
        websocket.resetMetrics();
      },
      startedInMs: Math.round(performance.now() - started),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
