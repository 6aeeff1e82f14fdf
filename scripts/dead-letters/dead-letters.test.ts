import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type DeadLetterQueue,
  describeDeadLetter,
  destinationOf,
  findDeadLetterQueues,
  peekDeadLetters,
  pickDeadLetterQueue,
  RedriveError,
  redriveDeadLetters,
} from './dead-letters';

const sqsMock = mockClient(SQSClient);
const eventsMock = mockClient(EventBridgeClient);
const sqs = new SQSClient({ region: 'us-east-1' });
const events = new EventBridgeClient({ region: 'us-east-1' });

const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const url = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;

beforeEach(() => {
  sqsMock.reset();
  eventsMock.reset();
});

const queueDlq: DeadLetterQueue = {
  name: 'prod-work-dlq',
  url: url('prod-work-dlq'),
  arn: arn('prod-work-dlq'),
  waiting: 3,
  inFlight: 0,
  sources: [{ kind: 'queue', queueArn: arn('prod-work'), maxReceiveCount: 5 }],
};

const ruleDlq: DeadLetterQueue = {
  name: 'prod-work-rule-dlq',
  url: url('prod-work-rule-dlq'),
  arn: arn('prod-work-rule-dlq'),
  waiting: 1,
  inFlight: 0,
  sources: [
    {
      kind: 'rule-target',
      ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/bus/prod-work',
      targetArn: arn('prod-work'),
      busName: 'bus',
    },
  ],
};

const envelope = JSON.stringify({
  version: '0',
  id: 'eb-id',
  'detail-type': 'CommentCreated',
  source: 'live-comments.comments',
  time: '2026-12-01T10:00:00Z',
  detail: { eventId: 'evt-1', correlationId: 'corr-1', occurredAt: '2026-12-01T09:59:59.500Z', data: {} },
});

describe('findDeadLetterQueues', () => {
  it('finds the DLQs named by redrive policies and rule targets, with counts and sources', async () => {
    sqsMock
      .on(ListQueuesCommand)
      .resolvesOnce({ QueueUrls: [url('prod-work'), url('prod-work-dlq')], NextToken: 'page-2' })
      .resolvesOnce({ QueueUrls: [url('prod-work-rule-dlq'), url('prod-plain')] });
    const attributes: Record<string, Record<string, string>> = {
      [url('prod-work')]: {
        QueueArn: arn('prod-work'),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('prod-work-dlq'), maxReceiveCount: 5 }),
      },
      [url('prod-work-dlq')]: {
        QueueArn: arn('prod-work-dlq'),
        ApproximateNumberOfMessages: '3',
        ApproximateNumberOfMessagesNotVisible: '1',
      },
      [url('prod-work-rule-dlq')]: { QueueArn: arn('prod-work-rule-dlq'), ApproximateNumberOfMessages: '0' },
      [url('prod-plain')]: { QueueArn: arn('prod-plain') },
    };
    sqsMock.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
      Attributes: attributes[input.QueueUrl],
    }));
    eventsMock.on(ListEventBusesCommand).resolves({ EventBuses: [{ Name: 'default' }, { Name: 'bus' }] });
    eventsMock.on(ListRulesCommand, { EventBusName: 'default' }).resolves({ Rules: [] });
    eventsMock.on(ListRulesCommand, { EventBusName: 'bus' }).resolves({
      Rules: [{ Name: 'prod-work', Arn: 'arn:aws:events:us-east-1:123456789012:rule/bus/prod-work' }],
    });
    eventsMock.on(ListTargetsByRuleCommand).resolves({
      Targets: [
        { Id: 'work', Arn: arn('prod-work'), DeadLetterConfig: { Arn: arn('prod-work-rule-dlq') } },
        { Id: 'no-dlq', Arn: arn('prod-plain') },
      ],
    });

    const found = await findDeadLetterQueues({ sqs, events }, { prefix: 'prod-' });

    expect(found).toEqual([
      { ...queueDlq, waiting: 3, inFlight: 1 },
      { ...ruleDlq, waiting: 0 },
    ]);
    expect(sqsMock.commandCalls(ListQueuesCommand).map((call) => call.args[0].input)).toEqual([
      { MaxResults: 1000, QueueNamePrefix: 'prod-', NextToken: undefined },
      { MaxResults: 1000, QueueNamePrefix: 'prod-', NextToken: 'page-2' },
    ]);
  });
});

describe('describeDeadLetter', () => {
  it('reads an undeliverable event: what it is, and why EventBridge gave up', () => {
    const letter = describeDeadLetter({
      MessageId: 'm1',
      Body: envelope,
      Attributes: { ApproximateReceiveCount: '2', SentTimestamp: String(Date.parse('2026-12-01T10:00:05Z')) },
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', StringValue: 'NO_RESOURCE' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: 'queue does not exist' },
        RETRY_ATTEMPTS: { DataType: 'String', StringValue: '0' },
      },
    });
    expect(letter).toEqual({
      messageId: 'm1',
      receiveCount: 2,
      sentAt: '2026-12-01T10:00:05.000Z',
      error: { code: 'NO_RESOURCE', message: 'queue does not exist', retryAttempts: '0' },
      event: {
        type: 'CommentCreated',
        eventId: 'evt-1',
        correlationId: 'corr-1',
        occurredAt: '2026-12-01T09:59:59.500Z',
      },
      body: envelope,
    });
  });

  it('reads a broadcast continuation page and leaves other bodies as they are', () => {
    const page = JSON.stringify({
      eventId: 'evt-2',
      correlationId: 'c',
      topic: 'post:p1',
      page: 3,
      frame: '{}',
    });
    expect(describeDeadLetter({ MessageId: 'm2', Body: page }).event).toEqual({
      type: 'BroadcastPage',
      eventId: 'evt-2',
      correlationId: 'c',
      detail: 'post:p1 page 3',
    });
    expect(describeDeadLetter({ MessageId: 'm3', Body: 'not json' })).toEqual({
      messageId: 'm3',
      receiveCount: 0,
      body: 'not json',
    });
  });
});

describe('peekDeadLetters', () => {
  it('reads without removing: every message received is made visible again', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'a', ReceiptHandle: 'ra', Body: '1' },
          { MessageId: 'b', ReceiptHandle: 'rb', Body: '2' },
        ],
      })
      .resolvesOnce({ Messages: [{ MessageId: 'a', ReceiptHandle: 'ra2', Body: '1' }] })
      .resolves({ Messages: [] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({});

    const letters = await peekDeadLetters(sqs, queueDlq.url, 10);

    expect(letters.map((letter) => letter.messageId)).toEqual(['a', 'b']);
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    const released = sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((call) => call.args[0].input.Entries);
    expect(released.map((entry) => [entry?.ReceiptHandle, entry?.VisibilityTimeout])).toEqual([
      ['ra', 0],
      ['rb', 0],
      ['ra2', 0],
    ]);
  });
});

describe('redriveDeadLetters', () => {
  const batch = (messages: Message[]) =>
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages });

  it('sends back to the source queue and deletes only what the destination accepted', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: url('prod-work') });
    batch([
      {
        MessageId: 'a',
        ReceiptHandle: 'ra',
        Body: 'A',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } },
      },
      { MessageId: 'b', ReceiptHandle: 'rb', Body: 'B' },
    ]).resolves({ Messages: [] });
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });
    sqsMock.on(DeleteMessageBatchCommand).resolves({});
    const outcomes: unknown[] = [];

    const result = await redriveDeadLetters(sqs, {
      from: queueDlq,
      max: 2,
      onMessage: (letter, outcome) => outcomes.push([letter.messageId, outcome]),
    });

    expect(result).toEqual({ destinationUrl: url('prod-work'), moved: 1, failed: 1 });
    expect(sqsMock.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: 'prod-work',
      QueueOwnerAWSAccountId: '123456789012',
    });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', MessageBody: 'A', MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } } },
      { Id: '1', MessageBody: 'B' },
    ]);
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input).toEqual({
      QueueUrl: queueDlq.url,
      Entries: [{ Id: '0', ReceiptHandle: 'ra' }],
    });
    expect(outcomes).toEqual([
      ['a', 'moved'],
      ['b', { failed: 'try again' }],
    ]);
  });

  it('hands a rule target back the event without the attributes EventBridge added for the DLQ', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: url('prod-work') });
    batch([
      {
        MessageId: 'e',
        ReceiptHandle: 're',
        Body: envelope,
        MessageAttributes: {
          RULE_ARN: { DataType: 'String', StringValue: 'arn' },
          ERROR_CODE: { DataType: 'String', StringValue: 'NO_RESOURCE' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: 'gone' },
        },
      },
    ]).resolves({ Messages: [] });
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: '' }] });
    sqsMock.on(DeleteMessageBatchCommand).resolves({});

    const result = await redriveDeadLetters(sqs, { from: ruleDlq });

    expect(result.moved).toBe(1);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', MessageBody: envelope },
    ]);
  });

  it('stops when the destination refuses a whole batch instead of spinning on it', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: url('prod-work') });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolves({ Messages: [{ MessageId: 'a', ReceiptHandle: 'ra', Body: 'A' }] });
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'AccessDenied', SenderFault: true, Message: 'denied' }] });

    // max bounds a broken loop so that this fails instead of hanging.
    const result = await redriveDeadLetters(sqs, { from: queueDlq, max: 5 });

    expect(result).toMatchObject({ moved: 0, failed: 1 });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('splits a batch that would pass SQS’s 256 KiB per request, and moves all of it', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: url('prod-work') });
    const big = 'x'.repeat(100 * 1024);
    batch(['a', 'b', 'c', 'd'].map((id) => ({ MessageId: id, ReceiptHandle: `r${id}`, Body: big }))).resolves(
      { Messages: [] },
    );
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({
        Id: entry.Id,
        MessageId: `n${entry.Id}`,
        MD5OfMessageBody: '',
      })),
    }));
    sqsMock.on(DeleteMessageBatchCommand).resolves({});

    const result = await redriveDeadLetters(sqs, { from: queueDlq });

    expect(result).toMatchObject({ moved: 4, failed: 0 });
    const batches = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries?.map((entry) => entry.Id));
    expect(batches).toEqual([
      ['0', '1'],
      ['2', '3'],
    ]);
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input.Entries).toHaveLength(4);
  });

  it('goes where the operator says, by queue name', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: url('prod-elsewhere') });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });

    const result = await redriveDeadLetters(sqs, { from: queueDlq, toArn: 'prod-elsewhere' });

    expect(result).toEqual({ destinationUrl: url('prod-elsewhere'), moved: 0, failed: 0 });
    expect(sqsMock.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({
      QueueName: 'prod-elsewhere',
    });
  });

  it('refuses FIFO queues', async () => {
    await expect(
      redriveDeadLetters(sqs, { from: { ...queueDlq, name: 'prod-work-dlq.fifo' } }),
    ).rejects.toThrow(RedriveError);
    expect(sqsMock.calls()).toHaveLength(0);
  });
});

describe('destinationOf and pickDeadLetterQueue', () => {
  it('asks for --to when a DLQ serves several sources, or a target that is not a queue', () => {
    const shared: DeadLetterQueue = {
      ...queueDlq,
      sources: [...queueDlq.sources, { kind: 'queue', queueArn: arn('prod-other') }],
    };
    expect(() => destinationOf(shared)).toThrow(/--to/);
    expect(destinationOf(shared, arn('prod-other'))).toBe(arn('prod-other'));
    const lambdaTarget: DeadLetterQueue = {
      ...ruleDlq,
      sources: [
        {
          kind: 'rule-target',
          ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/bus/prod-work',
          targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
          busName: 'bus',
        },
      ],
    };
    expect(() => destinationOf(lambdaTarget)).toThrow(/not an SQS queue/);
  });

  it('finds a DLQ by name, URL or ARN, and lists the real ones when it is not one', () => {
    const queues = [queueDlq, ruleDlq];
    expect(pickDeadLetterQueue(queues, 'prod-work-dlq')).toBe(queueDlq);
    expect(pickDeadLetterQueue(queues, url('prod-work-rule-dlq'))).toBe(ruleDlq);
    expect(pickDeadLetterQueue(queues, arn('prod-work-dlq'))).toBe(queueDlq);
    expect(() => pickDeadLetterQueue(queues, 'prod-work')).toThrow(
      'prod-work is not a dead-letter queue here. Dead-letter queues: prod-work-dlq, prod-work-rule-dlq.',
    );
  });
});
