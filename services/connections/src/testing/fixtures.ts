import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HttpEvent } from '@live-comments/shared';
import type { WebSocketEvent } from '@live-comments/shared/websocket';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/** Events recorded from AWS (../shared/conformance, beside the repository), the base of every test event. */
const conformance = (name: string): unknown =>
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../../../../shared/conformance/lambda-events', name),
      'utf8',
    ),
  );

export const connectEvent = (
  overrides: { connectionId?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): WebSocketEvent => {
  const event = conformance('apigw-websocket-request.json') as WebSocketEvent;
  return {
    ...event,
    headers: { ...event.headers, ...overrides.headers },
    queryStringParameters: overrides.query ?? null,
    requestContext: {
      ...event.requestContext,
      connectionId: overrides.connectionId ?? event.requestContext.connectionId,
      connectedAt: 1_767_225_600_000,
    },
  };
};

export const messageEvent = (body: string | undefined, connectionId = 'conn-1'): WebSocketEvent => {
  const event = conformance('apigw-websocket-request-send-message.json') as WebSocketEvent;
  return {
    ...event,
    body: body ?? null,
    requestContext: { ...event.requestContext, connectionId, connectedAt: 1_767_225_600_000 },
  };
};

export const disconnectEvent = (connectionId = 'conn-1'): WebSocketEvent => {
  const event = conformance('apigw-websocket-request-disconnect.json') as WebSocketEvent;
  return { ...event, requestContext: { ...event.requestContext, connectionId } };
};

/** A public HTTP API request (payload v2, no authorizer). */
export const httpEvent = (): HttpEvent => conformance('apigw-v2-request-no-authorizer.json') as HttpEvent;

export const sqsEvent = (bodies: { messageId: string; body: string }[]): SQSEvent => {
  const [base] = (conformance('sqs-event.json') as SQSEvent).Records;
  return {
    Records: bodies.map(
      ({ messageId, body }): SQSRecord => ({
        ...(base as SQSRecord),
        messageId,
        body,
        messageAttributes: {},
      }),
    ),
  };
};

export const lambdaContext = (): Context =>
  ({
    functionName: 'live-comments-connections-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:live-comments-connections-test',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;
