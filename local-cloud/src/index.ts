import { resolve } from 'node:path';
import { type Edge, startEdge } from './edge';
import { createLocalIssuer, startHttpGateway, startWebSocketGateway } from './gateways';
import { startLambdaRuntime } from './lambda';
import type { LogEntry, LogFormat } from './logs';
import { assertPortsFree, defaultPorts, freePorts } from './ports';
import { loadTopology } from './topology';
import { inProcessSqs, startTriggers } from './triggers';
import {
  type LambdaInvoker,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  LOCAL_STAGE,
  type LocalPorts,
  type Topology,
} from './types';

export type { LocalPorts, Topology } from './types';

export interface LocalCloudOptions {
  /** The repository root (holds events/ and services/). */
  root?: string;
  /** Fixed ports (default 8000, 3001, 4566 or LC_*_PORT), or 'free' to pick unused ones (test suites). */
  ports?: Partial<LocalPorts> | 'free';
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
  ports: LocalPorts;
  urls: { http: string; websocket: string; edge: string; connections: string };
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

/**
 * Points the JWT authorizers and the functions' environment at the local
 * issuer on the port actually in use. Done after osls resolved the stacks,
 * rather than as a --param, so the resolved stacks stay cached whatever the
 * ports (test suites take free ones on every run).
 */
const relocateIssuer = (topology: Topology, from: string, to: string): Topology => {
  if (from === to) return topology;
  const move = (value: string) => (value === from ? to : value);
  for (const fn of topology.functions) {
    for (const [key, value] of Object.entries(fn.environment)) fn.environment[key] = move(value);
  }
  for (const route of topology.httpRoutes) {
    if (route.authorizer)
      route.authorizer = { ...route.authorizer, issuerUrl: move(route.authorizer.issuerUrl) };
  }
  return topology;
};

/**
 * Stands the whole system up on this machine: the topology read from the
 * stacks' serverless.yml, the AWS edge with every table, queue, bus and rule
 * provisioned, the functions in a Lambda-like runtime, their SQS and schedule
 * triggers, and the HTTP and WebSocket gateways in front.
 */
export const startLocalCloud = async (options: LocalCloudOptions = {}): Promise<LocalCloud> => {
  const started = performance.now();
  const root = options.root ?? ROOT;
  const host = options.host ?? process.env.LC_HOST ?? '127.0.0.1';
  const say = options.say ?? (() => {});
  const ports = options.ports === 'free' ? await freePorts(host) : { ...defaultPorts(), ...options.ports };
  await assertPortsFree(ports, host);

  const issuerUrl = `http://localhost:${ports.http}/_local`;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => {});
    stoppers.length = 0;
  };

  try {
    const [topology, edge, issuer] = await Promise.all([
      loadTopology({ root, stage: LOCAL_STAGE, region: LOCAL_REGION, ports }).then((resolved) =>
        relocateIssuer(resolved, STACK_DEFAULT_ISSUER, issuerUrl),
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

    const [http, websocket] = await Promise.all([
      startHttpGateway({ port: ports.http, host, topology, invoker: runtime, issuer, stage: LOCAL_STAGE }),
      startWebSocketGateway({ port: ports.websocket, host, topology, invoker: runtime, stage: LOCAL_STAGE }),
    ]);
    stoppers.push(
      () => http.stop(),
      () => websocket.stop(),
    );

    return {
      ports,
      urls: {
        http: `http://${host}:${ports.http}`,
        websocket: `ws://${host}:${ports.websocket}`,
        edge: edge.url,
        connections: websocket.managementEndpoint,
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
