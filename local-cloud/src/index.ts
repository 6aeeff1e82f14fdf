import { resolve } from 'node:path';
import { startWebApp } from '@live-comments/web/server';
import { type Edge, startEdge } from './edge';
import { createLocalIssuer, startHttpGateway, startWebSocketGateway } from './gateways';
import { urlHost } from './gateways/listen';
import { startLambdaRuntime } from './lambda';
import type { LambdaInvoker } from './lambda/invoker';
import { assertPortsFree, defaultPorts, freePorts, type ListenPorts } from './listen-ports';
import type { LogEntry, LogFormat } from './logs';
import { loadTopology } from './topology';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE, type Topology } from './topology/model';
import { inProcessSqs, startTriggers } from './triggers';

export type { ListenPorts } from './listen-ports';
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
}

export interface LocalCloud {
  ports: ListenPorts;
  urls: { http: string; websocket: string; edge: string; connections: string; web: string };
  issuerUrl: string;
  topology: Topology;
  edge: Edge;
  /** Invokes a function and waits for its result, as Lambda's Invoke API does (tests, scripts). */
  invoke: LambdaInvoker['invoke'];
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
  const ports = options.ports === 'free' ? await freePorts(host) : { ...defaultPorts(), ...options.ports };
  await assertPortsFree(ports, host);

  const issuerUrl = `http://localhost:${ports.http}/_local`;
  // The browser must open the web app at this origin: the one the stacks allow.
  const webOrigin = `http://localhost:${ports.web}`;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => {});
    stoppers.length = 0;
  };

  try {
    const [topology, edge, issuer] = await Promise.all([
      loadTopology({ root, stage: LOCAL_STAGE, region: LOCAL_REGION, ports }).then((resolved) =>
        relocateOrigin(
          relocateIssuer(resolved, STACK_DEFAULT_ISSUER, issuerUrl),
          STACK_DEFAULT_ORIGIN,
          webOrigin,
        ),
      ),
      startEdge({ port: ports.edge, host, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID }),
      createLocalIssuer({ issuerUrl }),
    ]);
    stoppers.push(() => edge.stop());
    say(
      `topology: ${topology.functions.length} functions in ${new Set(topology.functions.map((f) => f.service)).size} services`,
    );

    const [runtime] = await Promise.all([
      startLambdaRuntime({
        root,
        topology,
        edgeUrl: edge.url,
        watch: options.watch ?? false,
        logFormat: options.logs === 'json' ? 'json' : 'pretty',
        ...(options.onLog ? { onLog: options.onLog } : options.logs === 'off' ? { onLog: () => {} } : {}),
        onRebuild: (changed, errors) => {
          if (changed.length > 0) say(`reloaded ${changed.join(', ')}`);
          for (const error of errors) say(`build failed: ${error}`);
        },
      }),
      edge.provision(topology),
    ]);
    stoppers.push(() => runtime.stop());

    const triggers = startTriggers({
      topology,
      invoker: runtime,
      edgeUrl: edge.url,
      sqs: inProcessSqs(edge.sqs),
      region: LOCAL_REGION,
      ...(options.logs === 'off' ? { log: () => {} } : {}),
    });
    stoppers.push(() => triggers.stop());

    const urls = {
      http: `http://${urlHost(host)}:${ports.http}`,
      websocket: `ws://${urlHost(host)}:${ports.websocket}`,
    };
    const [, websocket, web] = await startTogether(
      stoppers,
      startHttpGateway({ port: ports.http, host, topology, invoker: runtime, issuer, stage: LOCAL_STAGE }),
      startWebSocketGateway({ port: ports.websocket, host, topology, invoker: runtime, stage: LOCAL_STAGE }),
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

    return {
      ports,
      urls: {
        ...urls,
        edge: edge.url,
        connections: websocket.managementEndpoint,
        web: web.url,
      },
      issuerUrl,
      topology,
      edge,
      invoke: (functionKey, event) => runtime.invoke(functionKey, event),
      startedInMs: Math.round(performance.now() - started),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
