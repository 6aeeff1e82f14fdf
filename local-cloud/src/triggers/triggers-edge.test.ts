import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../edge';
import type { LambdaInvoker } from '../lambda/invoker';
import { eventSourceDef, queueArn, queueDef, topologyWith } from '../testing';
import type { QueueDef, Topology } from '../topology/model';
import { inProcessSqs, type SqsRecord, type SqsSender, startTriggers } from './index';

const queue = (name: string, extra: Partial<QueueDef> = {}): QueueDef =>
  queueDef(name, { visibilityTimeoutSeconds: 1, ...extra });

const polling = (name: string) => eventSourceDef(name, { reportBatchItemFailures: true });

const topology: Topology = topologyWith({
  // One queue pair per poller under test: a stopped poller's long poll may still take a message.
  queues: ['work', 'work-sdk', 'work-in-process'].flatMap((name) => [
    queue(`${name}-dlq`),
    queue(name, { redrive: { deadLetterTargetArn: queueArn(`${name}-dlq`), maxReceiveCount: 2 } }),
  ]),
});

describe('SQS event source mapping on the edge', () => {
  let edge: Edge;
  let client: SQSClient;

  beforeAll(async () => {
    edge = await startEdge({ port: 0, log: () => {} });
    await edge.provision(topology);
    client = new SQSClient({
      region: 'us-east-1',
      endpoint: edge.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await edge.stop();
  });

  /** Polls one queue for `svc.worker`, with an SDK client on the edge unless given another. */
  const startPolling = (queueName: string, invoker: LambdaInvoker, sender?: SqsSender) =>
    startTriggers({
      topology: { ...topology, sqsEventSources: [polling(queueName)] },
      invoker,
      edgeUrl: edge.url,
      ...(sender ? { sqs: sender } : {}),
      log: () => {},
    });

  it.each([
    ['an SDK client over HTTP', 'work-sdk', () => undefined],
    ['fauxqs in process (as the local cloud polls)', 'work-in-process', () => inProcessSqs(edge.sqs)],
  ])(
    'deletes what succeeded and lets a reported failure redrive to the DLQ: %s',
    async (_name, queueName, sqs) => {
      const seen: { body: string; receiveCount: string }[] = [];
      const invoker: LambdaInvoker = {
        async invoke(_key, event) {
          const records = (
            event as { Records: { messageId: string; body: string; attributes: Record<string, string> }[] }
          ).Records;
          for (const record of records) {
            seen.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount ?? '' });
          }
          const failures = records
            .filter((record) => record.body === 'bad')
            .map((record) => ({ itemIdentifier: record.messageId }));
          return { ok: true, result: { batchItemFailures: failures }, durationMs: 1 };
        },
      };
      const dlqCount = async () => {
        const attributes = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: `${edge.url}/000000000000/${queueName}-dlq`,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
      };
      // The DLQ keeps what earlier cases sent there.
      const dlqBefore = await dlqCount();
      const triggers = startPolling(queueName, invoker, sqs());
      try {
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: `${edge.url}/000000000000/${queueName}`,
            Entries: ['good-1', 'bad', 'good-2'].map((body, index) => ({
              Id: String(index),
              MessageBody: body,
            })),
          }),
        );
        const deadline = Date.now() + 15_000;
        while ((await dlqCount()) < dlqBefore + 1 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await dlqCount()).toBe(dlqBefore + 1);
        expect(seen.filter((entry) => entry.body === 'good-1')).toEqual([
          { body: 'good-1', receiveCount: '1' },
        ]);
        expect(seen.filter((entry) => entry.body === 'bad').map((entry) => entry.receiveCount)).toEqual([
          '1',
          '2',
        ]);
      } finally {
        const started = Date.now();
        await triggers.stop();
        expect(Date.now() - started).toBeLessThan(1000);
      }
    },
    20_000,
  );

  it('hands the function the same record whichever client polls', async () => {
    const recordVia = async (sender: SqsSender | undefined, body: string) => {
      let resolveRecord: (record: SqsRecord) => void = () => {};
      const received = new Promise<SqsRecord>((resolve) => {
        resolveRecord = resolve;
      });
      const invoker: LambdaInvoker = {
        async invoke(_key, event) {
          for (const record of (event as { Records: SqsRecord[] }).Records) {
            if (record.body === body) resolveRecord(record);
          }
          return { ok: true, result: {}, durationMs: 1 };
        },
      };
      const triggers = startPolling('work', invoker, sender);
      try {
        await client.send(
          new SendMessageCommand({
            QueueUrl: `${edge.url}/000000000000/work`,
            MessageBody: body,
            MessageAttributes: {
              kind: { DataType: 'String', StringValue: 'comment' },
              blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 250]) },
            },
          }),
        );
        return await received;
      } finally {
        await triggers.stop();
      }
    };

    const viaSdk = await recordVia(undefined, 'shape-sdk');
    const inProcess = await recordVia(inProcessSqs(edge.sqs), 'shape-in-process');

    const comparable = ({ messageId, receiptHandle, body, md5OfBody, attributes, ...rest }: SqsRecord) => ({
      ...rest,
      attributeNames: Object.keys(attributes).sort(),
    });
    expect(comparable(inProcess)).toEqual(comparable(viaSdk));
    expect(inProcess.messageAttributes.blob).toEqual({
      binaryValue: Buffer.from([0, 1, 2, 250]).toString('base64'),
      stringListValues: [],
      binaryListValues: [],
      dataType: 'Binary',
    });
    expect(inProcess.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });
});
