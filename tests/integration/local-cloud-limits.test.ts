/**
 * The local cloud as strict as AWS where it matters (issue 13): the account's
 * throttling (lowered here so a test can cross it), fault injection, the DLQ
 * of a refusing rule target, an event lost to both target and DLQ (counted,
 * logged, and caught by the harness), and reserved concurrency.
 */
import {
  ApiGatewayManagementApiClient,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { httpEvent } from '@live-comments/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnectionsApi } from '../../services/connections/src/adapters/connections-api';
import { api, edgeClients, eventually, useLocalCloud } from './support/cloud';
import { TestSocket } from './support/ws-client';

const ACCOUNT_RPS = 20;
const NEW_CONNECTIONS_PER_SECOND = 3;

const cloud = useLocalCloud({
  limits: {
    accountRps: ACCOUNT_RPS,
    accountBurst: ACCOUNT_RPS,
    newConnectionsPerSecond: NEW_CONNECTIONS_PER_SECOND,
  },
  faults: {
    seed: 13,
    functions: { 'comments.health': 0.5 },
    targets: [{ rule: 'it-limits-refusing' }],
  },
  reservedConcurrency: { 'posts.health': 1 },
});
const { request, token } = api(cloud);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

const edge = edgeClients(cloud);

/** Waits until the account's bucket (and the new-connections one) is full again. */
const refill = () => new Promise((resolve) => setTimeout(resolve, 1100));

const BUS = 'it-limits-bus';

/** A rule on the test bus for events of `source`, with one target; answers a function that puts one such event. */
const ruleWithTarget = async (rule: string, source: string, target: Target) => {
  await edge.events.send(new CreateEventBusCommand({ Name: BUS })).catch(() => {}); // once per suite
  await edge.events.send(
    new PutRuleCommand({ Name: rule, EventBusName: BUS, EventPattern: JSON.stringify({ source: [source] }) }),
  );
  await edge.events.send(new PutTargetsCommand({ Rule: rule, EventBusName: BUS, Targets: [target] }));
  return async (detailType: string) => {
    const { Entries = [] } = await edge.events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: BUS, Source: source, DetailType: detailType, Detail: '{}' }],
      }),
    );
    return Entries[0]?.EventId ?? '';
  };
};

const openSocket = async () => TestSocket.open(`${cloud().urls.websocket}?token=${await token('limits')}`);

describe('account-level throttling (lowered to 20 requests/s, burst 20; 3 new connections/s)', () => {
  let socket: TestSocket;
  let connectionId: string;

  afterAll(() => socket?.close());

  it('does not route a client message over the limit: the client gets a Too Many Requests error frame', async () => {
    await refill();
    socket = await openSocket();
    await refill();
    for (let i = 0; i < 3 * ACCOUNT_RPS; i++) socket.send({ action: 'ping' });
    const throttled = await socket.next((frame) => frame.message === 'Too Many Requests');
    expect(throttled).toEqual({
      message: 'Too Many Requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
    connectionId = String(throttled.connectionId);
    await eventually(async () =>
      cloud().metrics().webSocket.throttledMessages >= ACCOUNT_RPS ? true : undefined,
    );
  });

  it('answers @connections over the limit with 429 LimitExceededException, as the SDK and our client name it', async () => {
    // The pings' pongs (the message function's own @connections calls) settle first.
    await refill();
    await refill();
    const sdk = new ApiGatewayManagementApiClient({
      endpoint: cloud().urls.connections,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1, // the SDK would retry a throttled call on its own
    });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 2 * ACCOUNT_RPS }, () =>
          sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"x"}' })).then(
            () => 'sent',
            (error: unknown) => error,
          ),
        ),
      );
      const refused = outcomes.filter((outcome) => outcome !== 'sent');
      expect(outcomes.filter((outcome) => outcome === 'sent').length).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeGreaterThanOrEqual(ACCOUNT_RPS / 2);
      for (const error of refused) {
        expect(error).toBeInstanceOf(LimitExceededException);
        expect(error).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      }
      // The broadcaster's own client (services/connections) classifies it by the same name.
      const ours = createConnectionsApi({
        endpoint: cloud().urls.connections,
        region: 'us-east-1',
        credentials,
      });
      const errors: unknown[] = [];
      for (let i = 0; i < 2 * ACCOUNT_RPS && errors.length === 0; i++) {
        await ours.postToConnection(connectionId, new TextEncoder().encode('{"type":"x"}')).catch((error) => {
          errors.push(error);
        });
      }
      expect(errors[0]).toMatchObject({
        name: 'LimitExceededException',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 429 },
      });
      expect(cloud().metrics().webSocket.throttledConnectionsCalls).toBeGreaterThanOrEqual(
        refused.length + 1,
      );
    } finally {
      sdk.destroy();
    }
  });

  it('answers the HTTP API over the limit with 429 {"message":"Too Many Requests"}', async () => {
    await refill();
    const responses = await Promise.all(
      Array.from({ length: 2 * ACCOUNT_RPS }, () => request('GET', '/api/v1/health/connections')),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(ACCOUNT_RPS / 2);
    const throttled = responses.filter((response) => response.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(ACCOUNT_RPS / 2);
    expect(throttled.length + statuses.filter((status) => status === 200).length).toBe(2 * ACCOUNT_RPS);
    for (const response of throttled) expect(response.body).toEqual({ message: 'Too Many Requests' });
    expect(cloud().metrics().http.throttledRequests).toBeGreaterThanOrEqual(throttled.length);
  });

  it('refuses new connections beyond the lowered rate with 429', async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => token('limits')));
    await refill();
    const attempts = await Promise.all(
      tokens.map((jwt) =>
        TestSocket.open(`${cloud().urls.websocket}?token=${jwt}`).then(
          (opened) => {
            opened.close();
            return 'opened';
          },
          (error: Error) => error.message,
        ),
      ),
    );
    expect(attempts.filter((attempt) => attempt === 'opened')).toHaveLength(NEW_CONNECTIONS_PER_SECOND);
    expect(attempts.filter((attempt) => attempt !== 'opened')).toEqual(
      Array.from({ length: 8 - NEW_CONNECTIONS_PER_SECOND }, () => 'handshake refused: 429'),
    );
    expect(cloud().metrics().webSocket.refusedConnections).toBeGreaterThanOrEqual(
      8 - NEW_CONNECTIONS_PER_SECOND,
    );
  });
});

describe('fault injection', () => {
  it('fails the given fraction of a function’s invocations, as its invocations show', async () => {
    const before = cloud().metrics().lambda['comments.health'];
    const results = [];
    for (let i = 0; i < 40; i++) {
      results.push(
        await cloud().invoke('comments.health', httpEvent({ routeKey: 'GET /api/v1/health/comments' })),
      );
    }
    const failed = results.filter((result) => !result.ok);
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(failed.length).toBeLessThanOrEqual(30);
    for (const result of failed)
      expect(result).toMatchObject({ ok: false, error: { errorType: 'InjectedFault' } });
    const after = cloud().metrics().lambda['comments.health'];
    expect((after?.invocations ?? 0) - (before?.invocations ?? 0)).toBe(40);
    expect((after?.errors ?? 0) - (before?.errors ?? 0)).toBe(failed.length);
  });

  it('sends the events of a refusing rule target to its DLQ after its retries', async () => {
    const { QueueUrl: targetUrl } = await edge.sqs.send(
      new CreateQueueCommand({ QueueName: 'it-limits-target' }),
    );
    const { QueueUrl: dlqUrl } = await edge.sqs.send(
      new CreateQueueCommand({ QueueName: 'it-limits-target-dlq' }),
    );
    const put = await ruleWithTarget('it-limits-refusing', 'it.limits.refuse', {
      Id: 'target',
      Arn: arn('it-limits-target'),
      RetryPolicy: { MaximumRetryAttempts: 1 },
      DeadLetterConfig: { Arn: arn('it-limits-target-dlq') },
    });
    const eventId = await put('Refused');
    const { Messages = [] } = await eventually(async () => {
      const received = await edge.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
      );
      return received.Messages?.length ? received : undefined;
    });
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).toMatchObject({ id: eventId, 'detail-type': 'Refused' });
    expect(Messages[0]?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('INTERNAL_ERROR');
    expect(Messages[0]?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('1');
    const { Attributes } = await edge.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: targetUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(
      cloud()
        .metrics()
        .eventBridge.rules.find((rule) => rule.ruleName === 'it-limits-refusing'),
    ).toMatchObject({
      matchedEvents: 1,
      invocations: 1,
      failedInvocations: 1,
      retryInvocationAttempts: 1,
      invocationsSentToDlq: 1,
      invocationsFailedToBeSentToDlq: 0,
    });
  });
});

describe('an event that can go neither to its target nor to its DLQ', () => {
  it('is counted and logged, and the harness check fails on it', async () => {
    // Neither queue exists: the target fails at once (NO_RESOURCE) and so does its DLQ.
    const put = await ruleWithTarget('it-limits-lost', 'it.limits.lost', {
      Id: 'nowhere',
      Arn: arn('it-limits-missing'),
      DeadLetterConfig: { Arn: arn('it-limits-missing-dlq') },
    });
    const eventId = await put('Vanished');
    await eventually(async () => (cloud().metrics().eventBridge.lostEvents > 0 ? true : undefined));
    const { eventBridge } = cloud().metrics();
    expect(eventBridge.lostEvents).toBe(1);
    expect(eventBridge.rules.find((rule) => rule.ruleName === 'it-limits-lost')).toMatchObject({
      failedInvocations: 1,
      invocationsFailedToBeSentToDlq: 1,
    });
    expect(eventBridge.lost).toEqual([
      expect.objectContaining({
        ruleName: 'it-limits-lost',
        busName: 'it-limits-bus',
        targetId: 'nowhere',
        eventId,
        detailType: 'Vanished',
        targetError: expect.stringMatching(/^NO_RESOURCE: /),
        deadLetterArn: arn('it-limits-missing-dlq'),
        deadLetterError: expect.stringMatching(/^NO_RESOURCE: /),
      }),
    ]);
    const line = cloud.cloudLog.find((message) => message.includes(eventId));
    expect(line).toMatch(
      /^\[eventbridge\] ERROR event lost: rule it-limits-lost on bus it-limits-bus, target nowhere/,
    );
    expect(line).toContain('(Vanished)');
    expect(line).toContain('and so did its DLQ');
    // The check every test of a suite runs afterwards: it fails on this loss once (then this test passes).
    expect(() => cloud.expectNothingLost()).toThrow(
      /^the local cloud lost 1 event\(s\): EventBridge delivered them neither to their target nor to a DLQ\n {2}rule it-limits-lost/,
    );
    expect(() => cloud.expectNothingLost()).not.toThrow();
  });
});

describe('reserved concurrency', () => {
  it('caps concurrent executions and throttles the rest as Lambda does', async () => {
    const before = cloud().metrics().lambda['posts.health'];
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        cloud().invoke('posts.health', httpEvent({ routeKey: 'GET /api/v1/health/posts' })),
      ),
    );
    const throttled = results.filter((result) => !result.ok && result.throttled);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(throttled).toHaveLength(9);
    for (const result of throttled)
      expect(result).toMatchObject({ error: { errorType: 'TooManyRequestsException' } });
    const after = cloud().metrics().lambda['posts.health'];
    expect(after?.maxConcurrentExecutions).toBe(1);
    expect((after?.throttles ?? 0) - (before?.throttles ?? 0)).toBe(9);
  });
});
