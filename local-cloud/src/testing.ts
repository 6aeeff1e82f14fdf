/**
 * The local cloud's test kit (tests only): topologies built from the parts a
 * test needs, queues, SQS event sources and HTTP routes with the local
 * account's defaults, and a fake Lambda invoker that records its calls.
 */

import type { InvokeResult, LambdaInvoker } from './lambda/invoker';
import {
  type HttpRouteDef,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  LOCAL_STAGE,
  type QueueDef,
  type SqsEventSourceDef,
  type Topology,
} from './topology/model';

/** A topology of the local account with only the given parts. */
export const topologyWith = (parts: Partial<Topology>): Topology => ({
  region: LOCAL_REGION,
  accountId: LOCAL_ACCOUNT_ID,
  stage: LOCAL_STAGE,
  functions: [],
  httpApis: [],
  httpRoutes: [],
  webSocketApis: [],
  tables: [],
  queues: [],
  buses: [],
  rules: [],
  sqsEventSources: [],
  schedules: [],
  ...parts,
});

export const queueArn = (name: string) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`;

/** A standard queue with SQS's defaults (30 s visibility, 4 days retention). */
export const queueDef = (name: string, extra: Partial<QueueDef> = {}): QueueDef => ({
  stack: 's',
  logicalId: name,
  name,
  arn: queueArn(name),
  fifo: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveWaitTimeSeconds: 0,
  policies: [],
  ...extra,
});

/** `svc.worker` polling a queue with Lambda's defaults (batches of 10, no batching window). */
export const eventSourceDef = (
  queueName: string,
  extra: Partial<SqsEventSourceDef> = {},
): SqsEventSourceDef => ({
  functionKey: 'svc.worker',
  queueArn: queueArn(queueName),
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  reportBatchItemFailures: false,
  enabled: true,
  ...extra,
});

export const route = (
  method: string,
  path: string,
  functionKey: string,
  extra: Partial<HttpRouteDef> = {},
) => ({
  apiId: 'api',
  method,
  path,
  routeKey: path === '*' ? '$default' : `${method} ${path}`,
  functionKey,
  ...extra,
});

export interface FakeInvoker extends LambdaInvoker {
  calls: { functionKey: string; event: unknown }[];
}

export type FakeBehaviour = (event: unknown, functionKey: string) => unknown;

/** Answers with what `behaviour` returns; a thrown error becomes a function error, as the runtime reports it. */
export const fakeInvoker = (behaviours: Record<string, FakeBehaviour> = {}): FakeInvoker => {
  const calls: FakeInvoker['calls'] = [];
  return {
    calls,
    async invoke(functionKey, event): Promise<InvokeResult> {
      calls.push({ functionKey, event });
      const behaviour = behaviours[functionKey];
      try {
        const result = behaviour ? await behaviour(event, functionKey) : { statusCode: 200 };
        return { ok: true, result, durationMs: 1 };
      } catch (error) {
        return {
          ok: false,
          error: { errorType: 'Error', errorMessage: error instanceof Error ? error.message : String(error) },
          timedOut: false,
          durationMs: 1,
        };
      }
    },
  };
};

/** The sorted keys of an object, for comparing an event's shape with a recording's. */
export const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort() : [];

/** The URLs of a local cloud on the default ports, as `startLocalCloud` reports them. */
export const urls = {
  web: 'http://localhost:3000',
  http: 'http://127.0.0.1:8000',
  websocket: 'ws://127.0.0.1:3001',
  connections: 'http://127.0.0.1:3001/local',
  edge: 'http://127.0.0.1:4566',
};
