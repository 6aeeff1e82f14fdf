import { describe, expect, it } from 'vitest';
import { noWebSocketMetrics } from '../gateways/websocket-gateway';
import { createLogJournal } from '../logs/journal';
import { queueArn, queueDef, topologyWith } from '../testing';
import type { FunctionDef } from '../topology/model';
import {
  type ConsoleMessage,
  type ConsoleSources,
  createOperatorConsole,
  deadLetterSources,
} from './console';

const fnDef = (key: string): FunctionDef => ({
  key,
  service: key.split('.')[0] ?? key,
  stack: 's',
  name: key.split('.')[1] ?? key,
  functionName: key,
  handler: 'h.handler',
  serviceDir: '/',
  environment: {},
  timeoutSeconds: 6,
  memorySize: 128,
});

const topology = topologyWith({
  functions: [fnDef('connections.broadcast')],
  queues: [
    queueDef('work', { redrive: { deadLetterTargetArn: queueArn('work-dlq'), maxReceiveCount: 5 } }),
    queueDef('work-dlq'),
    queueDef('rule-dlq'),
  ],
  rules: [
    {
      stack: 's',
      logicalId: 'Rule',
      name: 'work-rule',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/bus/work-rule',
      busName: 'bus',
      eventPattern: {},
      state: 'ENABLED',
      targets: [{ id: 't', arn: queueArn('work'), deadLetterArn: queueArn('rule-dlq') }],
    },
  ],
});

const webSocket = noWebSocketMetrics();

/** Sources with one dead letter EventBridge wrote, and figures the test can move. */
const fakeSources = () => {
  const figures = { invocations: 0, framesSent: 0 };
  const redriven: string[] = [];
  const sources: ConsoleSources = {
    topology,
    lambda: () => ({
      'connections.broadcast': {
        invocations: figures.invocations,
        errors: 0,
        throttles: 0,
        concurrentExecutions: 0,
        maxConcurrentExecutions: 1,
        coldStarts: 1,
      },
    }),
    eventBridge: () => ({
      rules: [
        {
          ruleArn: 'arn',
          ruleName: 'work-rule',
          busName: 'bus',
          matchedEvents: 4,
          invocations: 4,
          failedInvocations: 1,
          retryInvocationAttempts: 0,
          invocationsSentToDlq: 1,
          invocationsFailedToBeSentToDlq: 0,
        },
      ],
      lostEvents: 0,
      lost: [],
    }),
    recentEvents: () => [],
    webSocket: () => ({ ...webSocket, framesSent: figures.framesSent }),
    openConnections: () => 2,
    queues: async () => [
      { name: 'work', visible: 1, inFlight: 2, delayed: 0, oldestSentAt: Date.now() - 5_000, messages: [] },
      {
        name: 'rule-dlq',
        visible: 1,
        inFlight: 0,
        delayed: 0,
        messages: [
          {
            MessageId: 'm1',
            Body: JSON.stringify({
              'detail-type': 'CommentCreated',
              id: 'e1',
              detail: { eventId: 'event-1', correlationId: 'corr-1' },
            }),
            Attributes: { ApproximateReceiveCount: '0', SentTimestamp: '1700000000000' },
            MessageAttributes: {
              ERROR_CODE: { DataType: 'String', StringValue: 'NO_RESOURCE' },
              ERROR_MESSAGE: { DataType: 'String', StringValue: 'gone' },
            },
          },
        ],
      },
    ],
    topics: async () => [{ topic: 'feed', subscribers: 2 }],
    journal: createLogJournal(),
    redrive: async (queue) => {
      redriven.push(queue);
      return { queue, moved: 1, failed: 0, destination: 'http://edge/000000000000/work' };
    },
  };
  return { sources, figures, redriven };
};

describe('the operator’s console', () => {
  it('knows the DLQs of queues and of rule targets', () => {
    expect(deadLetterSources(topology)).toEqual(
      new Map([
        ['work-dlq', ['queue work']],
        ['rule-dlq', ['rule work-rule -> work']],
      ]),
    );
  });

  it('gathers every panel: functions with durations, queues, dead letters described, rules, real time', async () => {
    const { sources } = fakeSources();
    const operatorConsole = createOperatorConsole(sources);
    operatorConsole.observeInvocation('connections.broadcast', { ok: true, result: null, durationMs: 12 });
    const state = await operatorConsole.state();
    expect(state.functions['connections.broadcast']).toMatchObject({ coldStarts: 1, p50Ms: 12, p99Ms: 12 });
    expect(state.queues.work).toMatchObject({ visible: 1, inFlight: 2, oldestAgeSeconds: 5 });
    expect(state.queues['rule-dlq']?.deadLetterFor).toEqual(['rule work-rule -> work']);
    expect(state.deadLetters['rule-dlq']).toEqual({
      name: 'rule-dlq',
      waiting: 1,
      sources: ['rule work-rule -> work'],
      letters: [
        {
          messageId: 'm1',
          receiveCount: 0,
          sentAt: '2023-11-14T22:13:20.000Z',
          eventType: 'CommentCreated',
          eventId: 'event-1',
          correlationId: 'corr-1',
          errorCode: 'NO_RESOURCE',
          errorMessage: 'gone',
        },
      ],
    });
    expect(state.rules['work-rule']).toMatchObject({
      matched: 4,
      failed: 1,
      sentToDlq: 1,
      targets: ['work'],
    });
    expect(state.realtime).toMatchObject({ openConnections: 2, topics: [{ topic: 'feed', subscribers: 2 }] });
  });

  it('sends a watcher a snapshot, then deltas of what changed, until it stops watching', async () => {
    const { sources, figures } = fakeSources();
    const operatorConsole = createOperatorConsole(sources, { intervalMs: 20 });
    const messages: ConsoleMessage[] = [];
    const stop = operatorConsole.watch({}, (message) => messages.push(message));
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(1);
    expect(messages[0]?.type).toBe('snapshot');
    figures.invocations = 3;
    await expect
      .poll(() =>
        messages.some(
          (message) =>
            message.type === 'delta' &&
            message.delta.set?.functions?.['connections.broadcast']?.invocations === 3,
        ),
      )
      .toBe(true);
    stop();
    const count = messages.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(messages.length).toBe(count);
    operatorConsole.stop();
  });

  it('hands a redrive to the same code npm run dlq uses', async () => {
    const { sources, redriven } = fakeSources();
    const operatorConsole = createOperatorConsole(sources);
    expect(await operatorConsole.redrive('rule-dlq')).toMatchObject({ moved: 1 });
    expect(redriven).toEqual(['rule-dlq']);
  });
});
