import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/src/index';
import type { LogEntry } from '../../../local-cloud/src/logs';

/**
 * Starts one local cloud on free ports for the calling test file and stops it
 * afterwards. Function logs are kept out of the test output unless
 * LC_TEST_LOGS=1.
 */
export const useLocalCloud = (): (() => LocalCloud) & { logs: LogEntry[] } => {
  let cloud: LocalCloud | undefined;
  const logs: LogEntry[] = [];
  beforeAll(async () => {
    cloud = await startLocalCloud({
      ports: 'free',
      ...(process.env.LC_TEST_LOGS
        ? { logs: 'pretty' as const }
        : { onLog: (entry: LogEntry) => logs.push(entry) }),
    });
  });
  afterAll(async () => {
    await cloud?.stop();
  });
  const current = () => {
    if (!cloud) throw new Error('the local cloud is not running');
    return cloud;
  };
  return Object.assign(current, { logs });
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
  return { request, token };
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
