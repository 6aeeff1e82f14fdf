/**
 * The local cloud in the bench's own process (startLocalCloud, so the bench
 * reads its figures and the broadcaster's log lines) and the calls the
 * benches make to it: the HTTP API, the edge's tables and queues.
 */
import { cpus, loadavg } from 'node:os';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local-cloud/src/index';
import type { LogEntry } from '../local-cloud/src/logs';
import type { SubscriberPool } from './subscribers/pool';
import { sleep } from './support';

export type { LocalCloud } from '../local-cloud/src/index';
export type { LogEntry } from '../local-cloud/src/logs';

export const say = (message: string) => process.stdout.write(`${message}\n`);

export const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}`;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface BenchCloud {
  cloud: LocalCloud;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** The local cloud's own warnings and errors (edge, delivery, pollers). */
  cloudLog: string[];
  stop(): Promise<void>;
}

/**
 * Starts the local cloud on free loopback ports with the bench's limits,
 * faults and visibility scale; function log lines go to `onLog` (none are
 * printed), the cloud's start-up lines (the scaled timeouts among them) to
 * the bench's output.
 */
export const startBenchCloud = async (
  options: Pick<LocalCloudOptions, 'limits' | 'faults' | 'visibilityTimeoutScale'> & {
    onLog?: (entry: LogEntry) => void;
  },
): Promise<BenchCloud> => {
  const cloudLog: string[] = [];
  const cloud = await startLocalCloud({
    ports: 'free',
    host: '127.0.0.1',
    logs: 'off',
    onLog: options.onLog ?? (() => {}),
    say: (message) => say(`  [local cloud] ${message}`),
    log: (message) => {
      cloudLog.push(message);
      if (cloudLog.length > 1_000) cloudLog.shift();
    },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.visibilityTimeoutScale ? { visibilityTimeoutScale: options.visibilityTimeoutScale } : {}),
  });
  const config = { endpoint: cloud.urls.edge, region: 'us-east-1', credentials };
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  return {
    cloud,
    dynamodb,
    sqs,
    cloudLog,
    async stop() {
      dynamodb.destroy();
      sqs.destroy();
      await cloud.stop();
    },
  };
};

/** One JSON call to an HTTP API, with a bearer token if given: its status and parsed body. */
export const httpCall = async <T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
};

/** The HTTP API of the bench's cloud: a token from the local issuer, a post, a comment. */
export const httpApi = (cloud: LocalCloud) => {
  const call = <T>(method: string, path: string, body?: unknown, token?: string) =>
    httpCall<T>(cloud.urls.http, method, path, body, token);
  const expect201 = <T>(what: string, response: { status: number; body: T }) => {
    if (response.status !== 201)
      throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return {
    async token(sub: string) {
      const response = await call<{ token: string }>('POST', '/_local/token', { sub });
      if (response.status !== 200) throw new Error(`token: ${response.status}`);
      return response.body.token;
    },
    async newPost(token: string, title: string) {
      return expect201(
        'create post',
        await call<{ id: string }>('POST', '/api/v1/posts', { title, body: title }, token),
      ).id;
    },
    /** A comment; answers its id and the status (a 429 or 5xx is the caller's to retry). */
    comment(token: string, postId: string, body: string) {
      return call<{ id: string }>('POST', `/api/v1/posts/${postId}/comments`, { body }, token);
    },
  };
};

/** Resolves once the comments service has projected the post (its known-posts row): a comment on it succeeds. */
export const waitUntilCommentable = async (dynamodb: DynamoDBClient, postId: string, timeoutMs = 30_000) => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: 'local-comments-posts',
        Key: { postId: { S: postId } },
        ConsistentRead: true,
      }),
    );
    if (Item && !Item.deletedAt) return;
    await sleep(50);
  }
  throw new Error(`post ${postId} not projected to the comments service within ${timeoutMs} ms`);
};

/** How many subscriptions a topic has on the edge (every page of the Query the broadcaster makes). */
export const subscriptionCount = async (dynamodb: DynamoDBClient, topic: string): Promise<number> => {
  let count = 0;
  let cursor: QueryCommand['input']['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: 'local-websocket-subscriptions',
        KeyConditionExpression: 'topic = :topic',
        ExpressionAttributeValues: { ':topic': { S: topic } },
        Select: 'COUNT',
        ConsistentRead: true,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    count += page.Count ?? 0;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return count;
};

export interface QueueDepth {
  name: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

/** The messages of the named queues: waiting, received and not yet deleted, delayed. */
export const queueDepths = async (sqs: SQSClient, names: string[]): Promise<QueueDepth[]> =>
  Promise.all(
    names.map(async (name) => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return {
        name,
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    }),
  );

/** Sums the lambda figures of the named functions since the last reset. */
export const invocationsOf = (cloud: LocalCloud, functionKey: string) => {
  const figures = cloud.metrics().lambda[functionKey];
  return {
    invocations: figures?.invocations ?? 0,
    errors: figures?.errors ?? 0,
    throttles: figures?.throttles ?? 0,
    maxConcurrent: figures?.maxConcurrentExecutions ?? 0,
  };
};

/** What a bench started, for `runBench` to stop whichever way the run ends. */
export interface BenchRun {
  bench?: BenchCloud;
  pool?: SubscriberPool;
}

/**
 * Runs a bench: `main` returns its last line (one JSON object), printed once
 * the subscribers and the local cloud are stopped, so that nothing follows
 * it. An error stops the run with the local cloud's last warnings (exit 1),
 * as do the overall timeout (exit 2) and SIGINT or SIGTERM (exit 130).
 */
export const runBench = async (
  name: string,
  timeoutMs: number,
  main: (run: BenchRun) => Promise<string>,
): Promise<never> => {
  const run: BenchRun = {};
  const cleanup = async () => {
    await run.pool?.close().catch(() => {});
    await run.bench?.stop().catch(() => {});
  };
  const exitAfterCleanup = (code: number) => void cleanup().finally(() => process.exit(code));
  setTimeout(() => {
    process.stderr.write(`\n${name} bench: overall timeout (${timeoutMs / 1000} s), stopping\n`);
    exitAfterCleanup(2);
  }, timeoutMs).unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => exitAfterCleanup(130));
  try {
    const last = await main(run);
    await cleanup();
    say(last);
    process.exit(0);
  } catch (error) {
    process.stderr.write(
      `${name} bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    const tail = run.bench?.cloudLog.slice(-20) ?? [];
    if (tail.length > 0) process.stderr.write(`local cloud log (tail):\n${tail.join('\n')}\n`);
    await cleanup();
    process.exit(1);
  }
};
