/**
 * The test kit (unit and integration tests only, never bundled into a
 * function): Lambda events and contexts built from the events AWS recorded
 * (tests/conformance/lambda-events), so every service's tests feed its
 * handlers the same shapes API Gateway, SQS and EventBridge deliver.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { HttpEvent, HttpResult } from './http';
import { conforms, gcraOf, nextTat, type RateLimit, type RateLimiter, retryAfterSeconds } from './rate-limit';
import type { WebSocketEvent } from './websocket';

/** The repository's conformance data: AWS-validated EventBridge patterns and recorded Lambda events. */
export const conformanceDir = resolve(import.meta.dirname, '../../tests/conformance');

export type RecordedEventName =
  | 'apigw-v2-request-jwt-authorizer'
  | 'apigw-v2-request-no-authorizer'
  | 'apigw-websocket-request'
  | 'apigw-websocket-request-send-message'
  | 'apigw-websocket-request-disconnect'
  | 'sqs-event';

const recordings = new Map<RecordedEventName, unknown>();

/** One recorded event, as AWS sent it (a fresh copy each call). */
export const recordedEvent = <T>(name: RecordedEventName): T => {
  if (!recordings.has(name)) {
    recordings.set(
      name,
      JSON.parse(readFileSync(join(conformanceDir, 'lambda-events', `${name}.json`), 'utf8')),
    );
  }
  return structuredClone(recordings.get(name)) as T;
};

export interface HttpEventOptions {
  /** The route as declared, e.g. `POST /api/v1/posts/{postId}/comments`. */
  routeKey: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** The JWT's `sub`; without it the request carries no authorizer, as on a public route. */
  userId?: string;
  headers?: Record<string, string>;
}

/** An HTTP API (payload 2.0) request shaped like the recorded one with a JWT authorizer. */
export const httpEvent = (options: HttpEventOptions): HttpEvent => {
  const recorded = recordedEvent<HttpEvent>('apigw-v2-request-jwt-authorizer');
  const [method = 'GET', template = '/'] = options.routeKey.split(' ');
  const rawPath = Object.entries(options.pathParameters ?? {}).reduce(
    (path, [name, value]) => path.replace(`{${name}}`, encodeURIComponent(value)),
    template,
  );
  const { authorizer: recordedAuthorizer, ...requestContext } = recorded.requestContext;
  const event: HttpEvent = {
    ...recorded,
    routeKey: options.routeKey,
    rawPath,
    rawQueryString: options.query ? new URLSearchParams(options.query).toString() : '',
    headers: {
      'content-type': 'application/json',
      ...(options.userId ? { authorization: 'Bearer header.payload.signature' } : {}),
      ...options.headers,
    },
    requestContext: {
      ...requestContext,
      routeKey: options.routeKey,
      requestId: `req-${randomUUID()}`,
      http: { ...recorded.requestContext.http, method, path: rawPath },
      ...(options.userId && recordedAuthorizer
        ? {
            authorizer: {
              ...recordedAuthorizer,
              jwt: { ...recordedAuthorizer.jwt, claims: { sub: options.userId, iss: 'test' } },
            },
          }
        : {}),
    },
    isBase64Encoded: false,
  };
  delete event.cookies;
  delete event.stageVariables;
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  else delete event.pathParameters;
  if (options.query) event.queryStringParameters = options.query;
  else delete event.queryStringParameters;
  if (options.body === undefined) delete event.body;
  else event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return event;
};

/** The JSON body of a handler's HTTP result. */
export const bodyOf = (result: HttpResult): unknown =>
  typeof result.body === 'string' ? JSON.parse(result.body) : undefined;

/** When the recorded WebSocket requests' connections opened (2026-01-01T00:00:00Z). */
export const CONNECTED_AT = 1_767_225_600_000;

export interface WebSocketEventOptions {
  connectionId?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** A `$connect` request shaped like the recorded one. */
export const connectEvent = (options: WebSocketEventOptions = {}): WebSocketEvent => {
  const event = recordedEvent<WebSocketEvent>('apigw-websocket-request');
  return {
    ...event,
    headers: { ...event.headers, ...options.headers },
    queryStringParameters: options.query ?? null,
    requestContext: {
      ...event.requestContext,
      connectionId: options.connectionId ?? event.requestContext.connectionId,
      connectedAt: CONNECTED_AT,
    },
  };
};

/** A client frame on a route (`subscribe`, `$default`, ...), shaped like the recorded message. */
export const messageEvent = (body: string | undefined, connectionId = 'conn-1'): WebSocketEvent => {
  const event = recordedEvent<WebSocketEvent>('apigw-websocket-request-send-message');
  return {
    ...event,
    body: body ?? null,
    requestContext: { ...event.requestContext, connectionId, connectedAt: CONNECTED_AT },
  };
};

/** A `$disconnect` request shaped like the recorded one. */
export const disconnectEvent = (connectionId = 'conn-1'): WebSocketEvent => {
  const event = recordedEvent<WebSocketEvent>('apigw-websocket-request-disconnect');
  return { ...event, requestContext: { ...event.requestContext, connectionId } };
};

export interface SqsMessage {
  body: string;
  messageId?: string;
  /** Overrides of the record's attributes, e.g. `{ ApproximateReceiveCount: '3' }`. */
  attributes?: Partial<SQSRecord['attributes']>;
}

/** An SQS batch shaped like the recorded one, one record per message (a string is a body). */
export const sqsEvent = (
  messages: readonly (string | SqsMessage)[],
  queueArn = 'arn:aws:sqs:us-east-1:123456789012:test-queue',
): SQSEvent => {
  const template = recordedEvent<SQSEvent>('sqs-event').Records[0] as SQSRecord;
  return {
    Records: messages.map((message, index): SQSRecord => {
      const { body, messageId, attributes } = typeof message === 'string' ? { body: message } : message;
      return {
        ...template,
        messageId: messageId ?? `message-${index + 1}`,
        receiptHandle: `receipt-${index + 1}`,
        body,
        messageAttributes: {},
        attributes: { ...template.attributes, ApproximateReceiveCount: '1', ...attributes },
        eventSourceARN: queueArn,
        awsRegion: queueArn.split(':')[3] ?? template.awsRegion,
      };
    }),
  };
};

/** The event EventBridge Scheduler's `rate()`/`cron()` rules invoke a function with. */
export const scheduleEvent = (time = '2026-01-01T00:00:00Z') => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event' as const,
  source: 'aws.events' as const,
  account: '123456789012',
  time,
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/test-schedule'],
  detail: {},
});

/** A Lambda context; `remainingMs` is what `getRemainingTimeInMillis` answers. */
export const lambdaContext = (functionName = 'live-comments-test', remainingMs = 10_000): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => remainingMs,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

type AttributeMap = Parameters<typeof unmarshall>[0];

/**
 * The Powertools idempotency table, kept in memory behind a mocked
 * DynamoDBClient (the client Powertools writes with), with the real
 * condition: a key that exists is refused while its record has not expired,
 * unless it is a stale INPROGRESS record. Returns the records by key and the
 * stub (restore it after the test when this made it).
 */
export const memoryIdempotencyTable = (
  dynamo: AwsClientStub<DynamoDBClient> = mockClient(DynamoDBClient),
) => {
  const items = new Map<string, Record<string, unknown>>();
  const keyOf = (key: AttributeMap) => String(unmarshall(key).id);
  dynamo.on(PutItemCommand).callsFake((input: { Item: AttributeMap }) => {
    const item = unmarshall(input.Item);
    const existing = items.get(String(item.id));
    const live = existing && Number(existing.expiration) > Date.now() / 1000;
    const staleInProgress =
      existing?.status === 'INPROGRESS' && Number(existing.in_progress_expiration ?? 0) < Date.now();
    if (live && !staleInProgress) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall(existing),
      });
    }
    items.set(String(item.id), item);
    return {};
  });
  dynamo
    .on(UpdateItemCommand)
    .callsFake((input: { Key: AttributeMap; ExpressionAttributeValues?: AttributeMap }) => {
      const id = keyOf(input.Key);
      const values = unmarshall(input.ExpressionAttributeValues ?? {});
      items.set(id, { ...items.get(id), id, status: values[':status'], expiration: values[':expiry'] });
      return {};
    });
  dynamo.on(DeleteItemCommand).callsFake((input: { Key: AttributeMap }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  dynamo.on(GetItemCommand).callsFake((input: { Key: AttributeMap }) => {
    const item = items.get(keyOf(input.Key));
    return item ? { Item: marshall(item) } : {};
  });
  return { items, dynamo };
};

/**
 * The write limit in memory, with the same arithmetic as the DynamoDB
 * limiter (GCRA), on a clock the test moves. `taken` lists every key asked
 * for, allowed or not.
 */
export const memoryRateLimiter = (limit: RateLimit, now: () => number = Date.now) => {
  const gcra = gcraOf(limit);
  const tats = new Map<string, number>();
  const taken: string[] = [];
  const limiter: RateLimiter = {
    async take(key) {
      taken.push(key);
      const at = now();
      const tat = tats.get(key);
      if (!conforms(gcra, tat, at)) {
        return { allowed: false, retryAfterSeconds: retryAfterSeconds(gcra, tat as number, at) };
      }
      tats.set(key, nextTat(gcra, tat, at));
      return { allowed: true };
    },
  };
  return Object.assign(limiter, { taken });
};

/** A write limit that never refuses (tests about something else). */
export const unlimited: RateLimiter = { take: async () => ({ allowed: true }) };
