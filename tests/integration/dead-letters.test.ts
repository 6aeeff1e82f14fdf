import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  findDeadLetterQueues,
  peekDeadLetters,
  pickDeadLetterQueue,
  redriveDeadLetters,
} from '../../scripts/dead-letters/dead-letters';
import { edgeClients, eventually, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const ROOT = join(import.meta.dirname, '..', '..');

const edge = edgeClients(cloud);

const createQueue = async (name: string, attributes: Record<string, string> = {}) => {
  const { QueueUrl } = await edge.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return QueueUrl as string;
};

const waiting = async (queueUrl: string) => {
  const { Attributes } = await edge.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
};

describe('dead letters: inspect and redrive (npm run dlq)', () => {
  it('moves a queue consumer’s dead letters back to the queue, attributes and all', async () => {
    const deadUrl = await createQueue('it-dlq-dead');
    const workUrl = await createQueue('it-dlq-work', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('it-dlq-dead'), maxReceiveCount: 1 }),
    });
    await edge.sqs.send(
      new SendMessageCommand({
        QueueUrl: workUrl,
        MessageBody: '{"poison":true}',
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    // A consumer that keeps failing: received, never deleted, until SQS moves it to the DLQ.
    await eventually(async () => {
      await edge.sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl, VisibilityTimeout: 0 }));
      return (await waiting(deadUrl)) === 1 || undefined;
    }, 10_000);

    const queues = await findDeadLetterQueues(edge, { prefix: 'it-dlq' });
    const dlq = pickDeadLetterQueue(queues, 'it-dlq-dead');
    expect(dlq).toMatchObject({
      waiting: 1,
      sources: [{ kind: 'queue', queueArn: arn('it-dlq-work'), maxReceiveCount: 1 }],
    });

    const peeked = await peekDeadLetters(edge.sqs, dlq.url);
    expect(peeked.map((letter) => letter.body)).toEqual(['{"poison":true}']);
    expect(await waiting(deadUrl)).toBe(1); // still there

    expect(await redriveDeadLetters(edge.sqs, { from: dlq })).toMatchObject({ moved: 1, failed: 0 });
    expect(await waiting(deadUrl)).toBe(0);
    const { Messages = [] } = await edge.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: workUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    expect(Messages.map((message) => [message.Body, message.MessageAttributes])).toEqual([
      ['{"poison":true}', { origin: { DataType: 'String', StringValue: 'test' } }],
    ]);
  });

  it('replays an event the bus could not deliver to the rule target’s queue, as the bus would have', async () => {
    const deadUrl = await createQueue('it-dlq-rule-dead');
    await edge.events.send(new CreateEventBusCommand({ Name: 'it-dlq-bus' }));
    await edge.events.send(
      new PutRuleCommand({
        Name: 'it-dlq-rule',
        EventBusName: 'it-dlq-bus',
        EventPattern: JSON.stringify({ source: ['it.dlq'] }),
      }),
    );
    await edge.events.send(
      new PutTargetsCommand({
        Rule: 'it-dlq-rule',
        EventBusName: 'it-dlq-bus',
        Targets: [
          { Id: 'target', Arn: arn('it-dlq-target'), DeadLetterConfig: { Arn: arn('it-dlq-rule-dead') } },
        ],
      }),
    );
    // The target queue does not exist yet: EventBridge gives up at once (NO_RESOURCE) and uses the DLQ.
    await edge.events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'it-dlq-bus', Source: 'it.dlq', DetailType: 'Tested', Detail: '{"n":1}' }],
      }),
    );
    await eventually(async () => (await waiting(deadUrl)) === 1 || undefined, 10_000);
    const targetUrl = await createQueue('it-dlq-target');

    const dlq = pickDeadLetterQueue(
      await findDeadLetterQueues(edge, { prefix: 'it-dlq' }),
      'it-dlq-rule-dead',
    );
    expect(dlq.sources).toEqual([
      {
        kind: 'rule-target',
        ruleArn: expect.stringContaining('it-dlq-rule'),
        targetArn: arn('it-dlq-target'),
        busName: 'it-dlq-bus',
      },
    ]);
    const [letter] = await peekDeadLetters(edge.sqs, dlq.url);
    expect(letter).toMatchObject({ error: { code: 'NO_RESOURCE' }, event: { type: 'Tested' } });

    expect(await redriveDeadLetters(edge.sqs, { from: dlq })).toMatchObject({ moved: 1, failed: 0 });
    const { Messages = [] } = await edge.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: targetUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    expect(Messages).toHaveLength(1);
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).toMatchObject({
      source: 'it.dlq',
      'detail-type': 'Tested',
      detail: { n: 1 },
    });
    expect(Messages[0]?.MessageAttributes).toBeUndefined();
  });

  it('lists the dead-letter queues from the command line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(ROOT, 'scripts', 'dlq.ts'),
        '--prefix',
        'local-connections',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: cloud().urls.edge,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
      },
    );
    // The broadcaster's queues: its consumer's DLQ, the rule target's DLQ and the continuation pages' DLQ.
    expect(stdout).toContain('local-connections-comment-events-dlq: 0 waiting');
    expect(stdout).toContain('  from queue local-connections-comment-events (after 5 receives)');
    expect(stdout).toContain('local-connections-comment-events-rule-dlq: 0 waiting');
    expect(stdout).toContain('local-connections-fanout-dlq: 0 waiting');
  });
});
