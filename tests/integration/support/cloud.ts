import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Post } from '../../../client/src/index';
import {
  type LocalCloud,
  type LocalCloudOptions,
  type LostEvent,
  startLocalCloud,
} from '../../../local-cloud/src/index';
import type { LogEntry } from '../../../local-cloud/src/logs';

/** The knobs a suite may set on its cloud (limits, faults, visibility scale, reserved concurrency, a fixture root, stage params). */
export type SuiteCloudOptions = Pick<
  LocalCloudOptions,
  'limits' | 'faults' | 'visibilityTimeoutScale' | 'reservedConcurrency' | 'root' | 'params'
>;

const describeLost = (event: LostEvent) =>
  `  rule ${event.ruleName} on bus ${event.busName}, target ${event.targetId} (${event.targetArn}), ` +
  `event ${event.eventId} (${event.detailType}): target ${event.targetError}; ` +
  (event.deadLetterArn ? `DLQ ${event.deadLetterArn} ${event.deadLetterError}` : 'no DLQ');

export interface SuiteCloud {
  (): LocalCloud;
  /** Function log lines (unless LC_TEST_LOGS=1 prints them). */
  logs: LogEntry[];
  /** The local cloud's own warnings and errors (edge, EventBridge delivery, triggers), also printed. */
  cloudLog: string[];
  /**
   * Throws if EventBridge lost an event since the last check: delivered it
   * neither to its target nor to a DLQ (AWS's InvocationsFailedToBeSentToDlq,
   * or a failed delivery to a target without one). Runs after every test of
   * the suite, so the test during which an event was lost fails.
   */
  expectNothingLost(): void;
}

/**
 * Starts one local cloud on free ports for the calling test file and stops it
 * afterwards. Function logs are kept out of the test output unless
 * LC_TEST_LOGS=1. A test during which the cloud lost an event fails.
 */
export const useLocalCloud = (options: SuiteCloudOptions = {}): SuiteCloud => {
  let cloud: LocalCloud | undefined;
  const logs: LogEntry[] = [];
  const cloudLog: string[] = [];
  let reported = 0;
  beforeAll(async () => {
    cloud = await startLocalCloud({
      ports: 'free',
      ...options,
      log: (message) => {
        cloudLog.push(message);
        console.warn(message);
      },
      ...(process.env.LC_TEST_LOGS
        ? { logs: 'pretty' as const }
        : { onLog: (entry: LogEntry) => logs.push(entry) }),
    });
  });
  const expectNothingLost = () => {
    if (!cloud) return;
    const { lostEvents, lost } = cloud.metrics().eventBridge;
    // A test may reset the metrics: then only what it lost since counts.
    const fresh = lostEvents >= reported ? lostEvents - reported : lostEvents;
    reported = lostEvents;
    if (fresh > 0) {
      throw new Error(
        `the local cloud lost ${fresh} event(s): EventBridge delivered them neither to their target nor to a DLQ\n` +
          lost.slice(-fresh).map(describeLost).join('\n'),
      );
    }
  };
  afterEach(expectNothingLost);
  afterAll(async () => {
    try {
      expectNothingLost();
    } finally {
      await cloud?.stop();
    }
  });
  const current = () => {
    if (!cloud) throw new Error('the local cloud is not running');
    return cloud;
  };
  return Object.assign(current, { logs, cloudLog, expectNothingLost });
};

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small client for the HTTP API of a running local cloud. */
export const api = (cloud: () => LocalCloud) => {
  const request = async <T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${cloud().urls.http}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  };
  const token = async (sub: string): Promise<string> => {
    const response = await request<{ token: string }>('POST', '/_local/token', { body: { sub } });
    if (response.status !== 200) throw new Error(`token: ${response.status}`);
    return response.body.token;
  };
  /** A post by the token's user; anything but 201 fails the test with the answer. */
  const createPost = async (as: string, title: string, body = 'B') => {
    const response = await request<Post>('POST', '/api/v1/posts', { token: as, body: { title, body } });
    if (response.status !== 201)
      throw new Error(`createPost: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return { request, token, createPost };
};

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
};

/** The connections subscribed to a topic on a local cloud's edge, as the broadcaster finds them (a Query, never a Scan). */
export const subscribersOf = async (edgeUrl: string, topic: string): Promise<string[]> => {
  const dynamodb = new DynamoDBClient({
    endpoint: edgeUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: 'local-websocket-subscriptions',
        KeyConditionExpression: 'topic = :topic',
        ExpressionAttributeValues: { ':topic': { S: topic } },
      }),
    );
    return Items.flatMap((item) => (item.connectionId?.S ? [item.connectionId.S] : []));
  } finally {
    dynamodb.destroy();
  }
};

/**
 * SQS and EventBridge clients on a suite's local edge, made before its tests
 * and destroyed after them, with the dummy credentials any AWS SDK needs.
 */
export const edgeClients = (cloud: () => LocalCloud) => {
  let clients: { sqs: SQSClient; events: EventBridgeClient } | undefined;
  beforeAll(() => {
    const config = {
      endpoint: cloud().urls.edge,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    clients = { sqs: new SQSClient(config), events: new EventBridgeClient(config) };
  });
  afterAll(() => {
    clients?.sqs.destroy();
    clients?.events.destroy();
  });
  const ready = () => {
    if (!clients) throw new Error('edgeClients: used before the suite started');
    return clients;
  };
  return {
    get sqs() {
      return ready().sqs;
    },
    get events() {
      return ready().events;
    },
  };
};
