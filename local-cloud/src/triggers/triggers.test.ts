import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { recordedEvent } from '@live-comments/shared/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvokeResult, LambdaInvoker } from '../lambda/invoker';
import { eventSourceDef, queueDef, topologyWith } from '../testing';
import type { SqsEventSourceDef, Topology } from '../topology/model';
import { parseSchedule, receiptsToDelete, startTriggers, toSqsRecord } from './index';
import { THROTTLED_BACKOFF_MS } from './sqs';

const sqsMock = mockClient(SQSClient);
const queueArn = 'arn:aws:sqs:us-east-1:000000000000:local-work';

afterEach(() => {
  sqsMock.reset();
  vi.useRealTimers();
});

function message(id: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: `body-${id}`,
    MD5OfBody: 'md5',
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1520621625029',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '1520621634884',
      VisibilityTimeout: '30',
    } as Message['Attributes'],
  };
}

/** An SQS queue in memory: receives take visible messages, empty receives return after a short wait. */
function fakeQueue(messages: Message[]) {
  const visible = [...messages];
  const deleted: string[] = [];
  const receiveSizes: number[] = [];
  sqsMock.on(ReceiveMessageCommand).callsFake(async (input: ReceiveMessageCommandInput) => {
    receiveSizes.push(input.MaxNumberOfMessages ?? 1);
    if (visible.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return {};
    }
    return { Messages: visible.splice(0, input.MaxNumberOfMessages ?? 1) };
  });
  sqsMock.on(DeleteMessageBatchCommand).callsFake(async (input: DeleteMessageBatchCommandInput) => {
    deleted.push(...(input.Entries ?? []).map((entry) => entry.ReceiptHandle ?? ''));
    return { Successful: (input.Entries ?? []).map((entry) => ({ Id: entry.Id })), Failed: [] };
  });
  return { deleted, receiveSizes };
}

/** `svc.worker` polling the queue local-work, with the given settings. */
function pollingTopology(source: Partial<SqsEventSourceDef>): Topology {
  return topologyWith({
    queues: [queueDef('local-work', { logicalId: 'Work' })],
    sqsEventSources: [eventSourceDef('local-work', source)],
  });
}

function recordingInvoker(answer: (event: { Records: { messageId: string }[] }) => InvokeResult) {
  const events: { Records: { messageId: string; eventSourceARN: string; receiptHandle: string }[] }[] = [];
  const invoker: LambdaInvoker = {
    async invoke(_key, event) {
      const typed = event as (typeof events)[number];
      events.push(typed);
      return answer(typed);
    },
  };
  return { invoker, events };
}

const success = (result: unknown = null): InvokeResult => ({ ok: true, result, durationMs: 1 });

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function run(
  source: Partial<SqsEventSourceDef>,
  messages: Message[],
  answer: Parameters<typeof recordingInvoker>[0],
  settle: (state: { deleted: string[]; invoked: number }) => boolean,
) {
  const queue = fakeQueue(messages);
  const { invoker, events } = recordingInvoker(answer);
  const triggers = startTriggers({
    topology: pollingTopology(source),
    invoker,
    edgeUrl: 'http://127.0.0.1:4566',
    sqs: new SQSClient({ region: 'us-east-1' }),
    pollersPerSource: 1,
    log: () => {},
  });
  try {
    await until(() => settle({ deleted: queue.deleted, invoked: events.length }));
    await new Promise((resolve) => setTimeout(resolve, 60));
  } finally {
    await triggers.stop();
  }
  return { ...queue, events };
}

describe('toSqsRecord', () => {
  it('builds the record Lambda delivers', () => {
    const expected = recordedEvent<{ Records: unknown[] }>('sqs-event').Records[0];
    const bytes = (text: string) => new Uint8Array(Buffer.from(text));
    const record = toSqsRecord(
      {
        MessageId: 'MessageID_1',
        ReceiptHandle: 'MessageReceiptHandle',
        Body: 'Message Body',
        MD5OfBody: 'fce0ea8dd236ccb3ed9b37dae260836f',
        MD5OfMessageAttributes: '582c92c5c5b6ac403040a4f3ab3115c9',
        Attributes: {
          ApproximateReceiveCount: '2',
          SentTimestamp: '1520621625029',
          SenderId: 'AROAIWPX5BD2BHG722MW4:sender',
          ApproximateFirstReceiveTimestamp: '1520621634884',
        },
        MessageAttributes: {
          Attribute3: {
            BinaryValue: bytes('1100'),
            StringListValues: ['abc', '123'],
            BinaryListValues: [bytes('0'), bytes('1'), bytes('0')],
            DataType: 'Binary',
          },
          Attribute2: { StringValue: '123', BinaryListValues: [bytes('1'), bytes('0')], DataType: 'Number' },
          Attribute1: { StringValue: 'AttributeValue1', DataType: 'String' },
        },
      },
      'arn:aws:sqs:us-west-2:123456789012:SQSQueue',
      'us-west-2',
    );
    expect(record).toEqual(expected);
  });

  it('leaves out md5OfMessageAttributes and attributes Lambda does not pass', () => {
    const record = toSqsRecord(message('m1'), queueArn, 'us-east-1');
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
    expect(Object.keys(record.attributes)).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    expect(record.messageAttributes).toEqual({});
  });
});

describe('receiptsToDelete', () => {
  const batch = [message('a'), message('b')];

  it('keeps everything for retry when the function fails', () => {
    const failed: InvokeResult = {
      ok: false,
      error: { errorType: 'Error', errorMessage: 'x' },
      timedOut: false,
      durationMs: 1,
    };
    expect(receiptsToDelete(failed, batch, true)).toEqual([]);
  });

  it('treats null and empty responses as full success', () => {
    expect(receiptsToDelete(success(null), batch, true)).toEqual(batch);
    expect(receiptsToDelete(success({ batchItemFailures: [] }), batch, true)).toEqual(batch);
  });

  it('ignores batchItemFailures without ReportBatchItemFailures', () => {
    expect(receiptsToDelete(success({ batchItemFailures: [{ itemIdentifier: 'a' }] }), batch, false)).toEqual(
      batch,
    );
  });
});

describe('SQS event source mapping', () => {
  it('invokes with the batch and deletes it after success', async () => {
    const { events, deleted } = await run(
      {},
      [message('a'), message('b')],
      () => success(),
      (s) => s.deleted.length === 2,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.Records.map((record) => record.messageId)).toEqual(['a', 'b']);
    expect(events[0]?.Records[0]?.eventSourceARN).toBe(queueArn);
    expect(deleted).toEqual(['receipt-a', 'receipt-b']);
  });

  it('leaves reported batch item failures on the queue', async () => {
    const { deleted } = await run(
      { reportBatchItemFailures: true },
      [message('a'), message('b'), message('c')],
      () => success({ batchItemFailures: [{ itemIdentifier: 'b' }] }),
      (s) => s.deleted.length === 2,
    );
    expect(deleted).toEqual(['receipt-a', 'receipt-c']);
  });

  it('deletes nothing when a failure names a message outside the batch', async () => {
    const { deleted, events } = await run(
      { reportBatchItemFailures: true },
      [message('a'), message('b')],
      () => success({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }),
      (s) => s.invoked === 1,
    );
    expect(events).toHaveLength(1);
    expect(deleted).toEqual([]);
  });

  it('deletes nothing when the function errors', async () => {
    const { deleted } = await run(
      {},
      [message('a')],
      () => ({
        ok: false,
        error: { errorType: 'Sandbox.Timedout', errorMessage: 'late' },
        timedOut: true,
        durationMs: 1,
      }),
      (s) => s.invoked === 1,
    );
    expect(deleted).toEqual([]);
  });

  it('deletes nothing when the function is throttled, and waits before polling again', async () => {
    const invokedAt: number[] = [];
    const { deleted } = await run(
      { batchSize: 1 },
      [message('a'), message('b')],
      () => {
        invokedAt.push(Date.now());
        return {
          ok: false,
          error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' },
          timedOut: false,
          durationMs: 0,
          throttled: true,
        };
      },
      (s) => s.invoked === 2,
    );
    expect(deleted).toEqual([]);
    expect((invokedAt[1] ?? 0) - (invokedAt[0] ?? 0)).toBeGreaterThanOrEqual(THROTTLED_BACKOFF_MS - 20);
  });

  it('never runs more invocations of a mapping at once than its maximumConcurrency', async () => {
    fakeQueue(Array.from({ length: 12 }, (_, index) => message(`m${index}`)));
    let running = 0;
    let most = 0;
    let invoked = 0;
    const triggers = startTriggers({
      topology: pollingTopology({ batchSize: 1, maximumConcurrency: 2 }),
      invoker: {
        async invoke() {
          invoked += 1;
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running -= 1;
          return success();
        },
      },
      edgeUrl: 'http://127.0.0.1:4566',
      sqs: new SQSClient({ region: 'us-east-1' }),
      pollersPerSource: 5,
      log: () => {},
    });
    try {
      await until(() => invoked === 12);
    } finally {
      await triggers.stop();
    }
    expect(most).toBe(2);
  });

  it('gathers up to batchSize within the batching window', async () => {
    const messages = Array.from({ length: 15 }, (_, index) => message(`m${index}`));
    const { events, receiveSizes } = await run(
      { batchSize: 15, maximumBatchingWindowSeconds: 1 },
      messages,
      () => success(),
      (s) => s.deleted.length === 15,
    );
    expect(events.map((event) => event.Records.length)).toEqual([15]);
    expect(receiveSizes.slice(0, 2)).toEqual([10, 5]);
  });

  it('invokes with what one receive returns when there is no batching window', async () => {
    const messages = Array.from({ length: 13 }, (_, index) => message(`m${index}`));
    const { events } = await run(
      {},
      messages,
      () => success(),
      (s) => s.deleted.length === 13,
    );
    expect(events.map((event) => event.Records.length)).toEqual([10, 3]);
  });

  it('stops polling promptly during a long poll', async () => {
    const receive = vi.fn(() => new Promise(() => {}));
    sqsMock.on(ReceiveMessageCommand).callsFake(receive);
    const triggers = startTriggers({
      topology: pollingTopology({}),
      invoker: recordingInvoker(() => success()).invoker,
      edgeUrl: 'http://127.0.0.1:4566',
      sqs: new SQSClient({ region: 'us-east-1' }),
      log: () => {},
    });
    await until(() => receive.mock.calls.length === 2);
    const started = Date.now();
    await triggers.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('parseSchedule', () => {
  const next = (expression: string, after: string) =>
    parseSchedule(expression).next(new Date(after)).toISOString();

  it('adds the rate to the last firing', () => {
    expect(next('rate(5 minutes)', '2025-01-01T10:00:00.000Z')).toBe('2025-01-01T10:05:00.000Z');
    expect(next('rate(1 day)', '2025-01-01T10:00:00.000Z')).toBe('2025-01-02T10:00:00.000Z');
  });

  it('rejects rates AWS rejects', () => {
    expect(() => parseSchedule('rate(1 minutes)')).toThrow('singular');
    expect(() => parseSchedule('rate(5 seconds)')).toThrow('expected rate');
  });

  it('finds the next cron firing in UTC', () => {
    expect(next('cron(0/15 * * * ? *)', '2025-01-01T10:07:30.000Z')).toBe('2025-01-01T10:15:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2025-01-01T10:15:00.000Z')).toBe('2025-01-01T10:30:00.000Z');
    expect(next('cron(0 10 ? * MON-FRI *)', '2025-01-04T12:00:00.000Z')).toBe('2025-01-06T10:00:00.000Z');
    expect(next('cron(0 0 L * ? *)', '2024-02-10T00:00:00.000Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('cron(15 12 ? * 6#2 *)', '2025-01-01T00:00:00.000Z')).toBe('2025-01-10T12:15:00.000Z');
    expect(next('cron(0 8 1 JAN ? 2030)', '2025-06-01T00:00:00.000Z')).toBe('2030-01-01T08:00:00.000Z');
  });

  it('requires exactly one of the day fields to be ?', () => {
    expect(() => parseSchedule('cron(0 10 * * * *)')).toThrow('exactly one of day-of-month and day-of-week');
  });
});

describe('schedules', () => {
  it('invokes the function with a scheduled event at each rate tick', async () => {
    vi.useFakeTimers({ now: new Date('2025-01-01T10:00:00.000Z') });
    const { invoker, events } = recordingInvoker(() => success());
    const topology = pollingTopology({ enabled: false });
    topology.functions.push({
      key: 'svc.sweep',
      service: 'svc',
      stack: 'live-svc',
      name: 'sweep',
      functionName: 'live-svc-local-sweep',
      handler: 'h.handler',
      serviceDir: '/x',
      environment: {},
      timeoutSeconds: 6,
      memorySize: 128,
    });
    topology.schedules.push({ functionKey: 'svc.sweep', expression: 'rate(1 minute)', enabled: true });
    topology.schedules.push({ functionKey: 'svc.sweep', expression: 'rate(2 minutes)', enabled: false });
    const triggers = startTriggers({ topology, invoker, edgeUrl: 'http://127.0.0.1:4566', log: () => {} });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(62_000);
    await triggers.stop();
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2025-01-01T10:01:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/live-svc-local-SweepEventsRuleSchedule1'],
      detail: {},
    });
  });
});
