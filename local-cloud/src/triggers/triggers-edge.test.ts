import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../edge';
import type { LambdaInvoker, QueueDef, Topology } from '../types';
import { startTriggers } from './index';

const queue = (name: string, extra: Partial<QueueDef> = {}): QueueDef => ({
  stack: 's',
  logicalId: name,
  name,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  fifo: false,
  visibilityTimeoutSeconds: 1,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  receiveWaitTimeSeconds: 0,
  policies: [],
  ...extra,
});

const topology: Topology = {
  region: 'us-east-1',
  accountId: '000000000000',
  stage: 'local',
  functions: [],
  httpApis: [],
  httpRoutes: [],
  webSocketApis: [],
  tables: [],
  queues: [
    queue('work-dlq'),
    queue('work', {
      redrive: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: 2 },
    }),
  ],
  buses: [],
  rules: [],
  sqsEventSources: [
    {
      functionKey: 'svc.worker',
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:work',
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      enabled: true,
    },
  ],
  schedules: [],
};

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

  it('deletes what succeeded and lets a reported failure redrive to the DLQ', async () => {
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
    const triggers = startTriggers({ topology, invoker, edgeUrl: edge.url, log: () => {} });
    try {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: `${edge.url}/000000000000/work`,
          Entries: ['good-1', 'bad', 'good-2'].map((body, index) => ({
            Id: String(index),
            MessageBody: body,
          })),
        }),
      );
      const dlqCount = async () => {
        const attributes = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: `${edge.url}/000000000000/work-dlq`,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
      };
      const deadline = Date.now() + 15_000;
      while ((await dlqCount()) < 1 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await dlqCount()).toBe(1);
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
  }, 20_000);
});
