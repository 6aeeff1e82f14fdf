import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { conformanceDir } from '@live-comments/shared/testing';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { eventually, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const clientConfig = () => ({
  endpoint: cloud().urls.edge,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

const run = promisify(execFile);
const hasAwsCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);

describe('AWS edge of the local cloud', () => {
  it('redrives a record that keeps failing to the DLQ after maxReceiveCount', async () => {
    const sqs = new SQSClient(clientConfig());
    const queue = cloud().topology.queues.find(
      (q: { name: string }) => q.name === 'local-posts-comment-events',
    );
    expect(queue?.redrive?.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'local-posts-comment-events' }));
    const dlqName = queue?.redrive?.deadLetterTargetArn.split(':').at(-1) ?? '';
    const { QueueUrl: dlqUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: dlqName }));
    // Short visibility so the consumer's retries take seconds, not minutes.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '1' } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"poison":true}' }));

    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages?.find((m) => m.Body === '{"poison":true}');
    }, 30_000);
    expect(Number(dead.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(1);
  });

  it('matches the EventBridge pattern conformance corpus through TestEventPattern', async () => {
    const events = new EventBridgeClient(clientConfig());
    const dir = join(conformanceDir, 'eventbridge-patterns');
    const read = (file: string) => JSON5.parse(readFileSync(join(dir, file), 'utf8'));
    const cases: [string, { Event: unknown; EventPattern: unknown }][] = readdirSync(dir)
      .filter((file) => file.endsWith('.json5'))
      .map((file) => [file, read(file)]);
    // One more pair kept as two files: the event and its pattern (it matches).
    cases.push([
      'complex_multi_key_event.json',
      {
        Event: read('complex_multi_key_event.json'),
        EventPattern: read('complex_multi_key_event_pattern.json'),
      },
    ]);
    expect(cases).toHaveLength(156);
    const failures: string[] = [];
    for (const [file, { Event, EventPattern }] of cases) {
      const expected = file.includes('_EXC') ? 'invalid' : file.includes('_NEG') ? 'no-match' : 'match';
      const outcome = await events
        .send(
          new TestEventPatternCommand({
            Event: JSON.stringify(Event),
            EventPattern: JSON.stringify(EventPattern),
          }),
        )
        .then(
          (r) => (r.Result ? 'match' : 'no-match'),
          (e: Error) => (e.name === 'InvalidEventPatternException' ? 'invalid' : `error ${e.name}`),
        );
      if (outcome !== expected) failures.push(`${file}: expected ${expected}, got ${outcome}`);
    }
    expect(failures).toEqual([]);
  });

  it.skipIf(!hasAwsCli)('answers the seed guide aws-cli commands with dummy credentials', async () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const aws = async (...args: string[]) =>
      JSON.parse(
        (await run('aws', [...args, '--endpoint-url', cloud().urls.edge, '--output', 'json'], { env }))
          .stdout,
      );
    expect((await aws('dynamodb', 'list-tables')).TableNames).toContain('local-posts');
    expect((await aws('sqs', 'list-queues')).QueueUrls.join(' ')).toContain('local-posts-comment-events');
    const rules = (await aws('events', 'list-rules', '--event-bus-name', 'live-comments-local')).Rules;
    expect(rules.length).toBeGreaterThanOrEqual(3);
  });
});
