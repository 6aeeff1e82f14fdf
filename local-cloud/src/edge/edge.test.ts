import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueArn, queueDef, topologyWith } from '../testing';
import type { Topology } from '../topology/model';
import { type Edge, startEdge } from './edge';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let edge: Edge;
let dynamo: DynamoDBClient;
let sqs: SQSClient;
let events: EventBridgeClient;

const topology: Topology = topologyWith({
  tables: [
    {
      stack: 'live-comments-connections',
      logicalId: 'SubscriptionsTable',
      name: 'local-subscriptions',
      arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/local-subscriptions',
      properties: {
        TableName: 'local-subscriptions',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'connectionId', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byConnection',
            KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      ttlAttribute: 'expiresAt',
    },
  ],
  queues: [
    queueDef('local-broadcast', {
      stack: 'live-comments-connections',
      logicalId: 'BroadcastQueue',
      redrive: { deadLetterTargetArn: queueArn('local-broadcast-dlq'), maxReceiveCount: 3 },
    }),
    queueDef('local-broadcast-dlq', {
      stack: 'live-comments-connections',
      logicalId: 'BroadcastDlq',
      messageRetentionSeconds: 1209600,
    }),
  ],
  buses: [
    {
      name: 'live-comments-local',
      arn: 'arn:aws:events:us-east-1:000000000000:event-bus/live-comments-local',
      stack: 'live-comments-events',
    },
  ],
  rules: [
    {
      stack: 'live-comments-connections',
      logicalId: 'CommentCreatedRule',
      name: 'local-comment-created',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/live-comments-local/local-comment-created',
      busName: 'live-comments-local',
      eventPattern: { source: ['live-comments.comments'], 'detail-type': ['CommentCreated'] },
      state: 'ENABLED',
      targets: [
        {
          id: 'broadcast',
          arn: queueArn('local-broadcast'),
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterArn: queueArn('local-broadcast-dlq'),
        },
      ],
    },
  ],
});

beforeAll(async () => {
  edge = await startEdge({ port: 0, ttlSweepIntervalMs: 60_000, retryBaseDelayMs: 5, log: () => {} });
  const config = { endpoint: edge.url, region: 'us-east-1', credentials };
  dynamo = new DynamoDBClient(config);
  sqs = new SQSClient(config);
  events = new EventBridgeClient(config);
  await edge.provision(topology);
});

afterAll(async () => {
  dynamo?.destroy();
  sqs?.destroy();
  events?.destroy();
  await edge?.stop();
});

const receiveAll = async (queueName: string, waitTimeSeconds = 1) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
};

describe('edge routing', () => {
  it('reports its services on the LocalStack health path', async () => {
    const response = await fetch(`${edge.url}/_localstack/health`);
    expect(await response.json()).toMatchObject({
      services: { dynamodb: 'running', sqs: 'running', events: 'running' },
    });
  });

  it('answers an unknown service with UnknownOperationException', async () => {
    const response = await fetch(`${edge.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses the legacy SQS query protocol with a clear message', async () => {
    const response = await fetch(`${edge.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListQueues&Version=2012-11-05',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('JSON protocol only');
  });

  it('names the port and the variable when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await expect(startEdge({ port, log: () => {} })).rejects.toThrow(
      `Port ${port} is in use (AWS edge). Set LC_EDGE_PORT=... or stop the other process.`,
    );
    await new Promise((resolve) => blocker.close(resolve));
  });
});

describe('provision', () => {
  it('creates the tables, queues, buses and rules of the topology', async () => {
    const { TableNames } = await dynamo.send(new ListTablesCommand({}));
    expect(TableNames).toContain('local-subscriptions');
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: 'local-subscriptions' }));
    expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'local-broadcast' }));
    expect(QueueUrls).toEqual([
      `${edge.url}/000000000000/local-broadcast`,
      `${edge.url}/000000000000/local-broadcast-dlq`,
    ]);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: QueueUrls?.[0],
        AttributeNames: ['RedrivePolicy', 'QueueArn'],
      }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queueArn('local-broadcast-dlq'),
      maxReceiveCount: 3,
    });
    expect(Attributes?.QueueArn).toBe(queueArn('local-broadcast'));
    const rule = await events.send(
      new DescribeRuleCommand({ Name: 'local-comment-created', EventBusName: 'live-comments-local' }),
    );
    expect(rule.Arn).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/live-comments-local/local-comment-created',
    );
    const { Targets } = await events.send(
      new ListTargetsByRuleCommand({ Rule: 'local-comment-created', EventBusName: 'live-comments-local' }),
    );
    expect(Targets).toEqual([
      {
        Id: 'broadcast',
        Arn: queueArn('local-broadcast'),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queueArn('local-broadcast-dlq') },
      },
    ]);
  });

  it('changes nothing when run a second time', async () => {
    await dynamo.send(
      new PutItemCommand({ TableName: 'local-subscriptions', Item: { pk: { S: 'keep' }, sk: { S: 'me' } } }),
    );
    await edge.provision(topology);
    await edge.provision(topology);
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: 'local-subscriptions', Key: { pk: { S: 'keep' }, sk: { S: 'me' } } }),
    );
    expect(Item).toBeDefined();
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'local-broadcast' }));
    expect(QueueUrls).toHaveLength(2);
    const { Rules } = await events.send(new ListRulesCommand({ EventBusName: 'live-comments-local' }));
    expect(Rules?.map((rule) => rule.Name)).toEqual(['local-comment-created']);
  });
});

describe('DynamoDB through the edge', () => {
  it('puts, queries by index, updates and deletes an item', async () => {
    const Key = { pk: { S: 'post#1' }, sk: { S: 'connection#a' } };
    await dynamo.send(
      new PutItemCommand({ TableName: 'local-subscriptions', Item: { ...Key, connectionId: { S: 'a' } } }),
    );
    const byIndex = await dynamo.send(
      new QueryCommand({
        TableName: 'local-subscriptions',
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': { S: 'a' } },
      }),
    );
    expect(byIndex.Items).toHaveLength(1);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: 'local-subscriptions',
        Key,
        UpdateExpression: 'SET seen = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: 'local-subscriptions', Key }))).Item?.seen,
    ).toEqual({
      N: '2',
    });
    await dynamo.send(new DeleteItemCommand({ TableName: 'local-subscriptions', Key }));
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: 'local-subscriptions', Key }))).Item,
    ).toBeUndefined();
  });

  it('deletes items whose TTL has passed and keeps the others', async () => {
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'ttl-test',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await edge.dynamodb.waitForTable('ttl-test'); // CREATING refuses item calls, as in AWS
    const update = await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: 'ttl-test',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    expect(update.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    const now = Math.floor(Date.now() / 1000);
    const items = {
      expired: { N: String(now - 10) },
      future: { N: String(now + 3600) },
      ancient: { N: String(now - 6 * 365 * 24 * 3600) },
      notANumber: { S: String(now - 10) },
    };
    for (const [id, expiresAt] of Object.entries(items)) {
      await dynamo.send(new PutItemCommand({ TableName: 'ttl-test', Item: { id: { S: id }, expiresAt } }));
    }
    expect(await edge.dynamodb.sweepExpiredItems()).toBe(1);
    const remaining = await Promise.all(
      Object.keys(items).map(async (id) => {
        const { Item } = await dynamo.send(
          new GetItemCommand({ TableName: 'ttl-test', Key: { id: { S: id } } }),
        );
        return Item ? id : undefined;
      }),
    );
    expect(remaining.filter(Boolean)).toEqual(['future', 'ancient', 'notANumber']);
  });

  it('rejects enabling TTL twice as AWS does', async () => {
    await expect(
      dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: 'local-subscriptions',
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      ),
    ).rejects.toThrow('TimeToLive is already enabled');
  });

  it('answers TTL calls on a missing table with ResourceNotFoundException', async () => {
    await expect(dynamo.send(new DescribeTimeToLiveCommand({ TableName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('SQS through the edge', () => {
  it('hides a received message for the visibility timeout, then redrives it to the DLQ after maxReceiveCount', async () => {
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'redrive-dlq' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'redrive-source',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('redrive-dlq'), maxReceiveCount: 2 }),
        },
      }),
    );
    expect(QueueUrl).toBe(`${edge.url}/000000000000/redrive-source`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    const receive = () => sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));

    expect((await receive()).Messages?.[0]?.Body).toBe('poison');
    expect((await receive()).Messages).toBeUndefined(); // invisible while in flight
    await sleep(1100);
    expect((await receive()).Messages?.[0]?.Body).toBe('poison'); // second receive
    await sleep(1100);
    expect((await receive()).Messages).toBeUndefined(); // third receive exceeds maxReceiveCount: moved
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['poison']);
  });
});

describe('EventBridge through the edge', () => {
  it('delivers the exact EventBridge envelope to the SQS target of a matching rule', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'live-comments-local',
            Source: 'live-comments.comments',
            DetailType: 'CommentCreated',
            Detail: JSON.stringify({ version: 1, data: { commentId: 'c1' } }),
            Time: new Date('2024-01-01T00:00:00.123Z'),
          },
          {
            EventBusName: 'live-comments-local',
            Source: 'live-comments.posts',
            DetailType: 'PostCreated',
            Detail: '{}',
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    await edge.eventBridge.idle();
    const messages = await receiveAll('local-broadcast');
    expect(messages).toHaveLength(1);
    const body = messages[0]?.Body ?? '';
    const eventId = result.Entries?.[0]?.EventId;
    expect(body).toBe(
      JSON.stringify({
        version: '0',
        id: eventId,
        'detail-type': 'CommentCreated',
        source: 'live-comments.comments',
        account: '000000000000',
        time: '2024-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { version: 1, data: { commentId: 'c1' } },
      }),
    );
  });

  it('reports per-entry errors and rejects more than 10 entries', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 's', DetailType: 'd', Detail: '{}' },
          { DetailType: 'd', Detail: '{}' },
          { Source: 's', DetailType: 'd', Detail: '[1]' },
          { Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'missing-bus' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.[0]?.EventId).toBeDefined();
    expect(result.Entries?.slice(1).map((entry) => entry.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);
    const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('sends an event whose target queue is missing straight to the DLQ with the AWS attributes', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'to-nowhere', EventPattern: JSON.stringify({ source: ['nowhere'] }) }),
    );
    await sqs.send(new CreateQueueCommand({ QueueName: 'nowhere-dlq' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'to-nowhere',
        Targets: [
          {
            Id: 'gone',
            Arn: queueArn('does-not-exist'),
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: queueArn('nowhere-dlq') },
          },
        ],
      }),
    );
    const { Entries } = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'nowhere', DetailType: 'Lost', Detail: '{"n":1}' }] }),
    );
    await edge.eventBridge.idle();
    const [message] = await receiveAll('nowhere-dlq');
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({ id: Entries?.[0]?.EventId, detail: { n: 1 } });
    const attributes = Object.fromEntries(
      Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
    );
    expect(attributes).toMatchObject({
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/to-nowhere',
      TARGET_ARN: queueArn('does-not-exist'),
      ERROR_CODE: 'NO_RESOURCE',
      RETRY_ATTEMPTS: '0',
    });
    expect(attributes.ERROR_MESSAGE).toContain('does not exist');
  });

  it('rejects an invalid pattern with InvalidEventPatternException', async () => {
    await expect(
      events.send(
        new PutRuleCommand({ Name: 'bad', EventPattern: JSON.stringify({ source: 'not-a-list' }) }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
  });

  it('tests a pattern against an event', async () => {
    const { Result } = await events.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ detail: { n: [{ numeric: ['>', 1] }] } }),
        Event: JSON.stringify({
          id: '1',
          source: 's',
          'detail-type': 'd',
          account: '000000000000',
          region: 'us-east-1',
          time: '2024-01-01T00:00:00Z',
          detail: { n: 2 },
        }),
      }),
    );
    expect(Result).toBe(true);
  });
});

const aws = promisify(execFile);
const awsCliAvailable = await aws('aws', ['--version']).then(
  () => true,
  () => false,
);

describe.skipIf(!awsCliAvailable)('aws-cli v1 against the edge', () => {
  const run = async (...args: string[]) => {
    const { stdout } = await aws('aws', ['--endpoint-url', edge.url, '--output', 'json', ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it('lists tables, queues and rules', async () => {
    expect((await run('dynamodb', 'list-tables')).TableNames).toContain('local-subscriptions');
    expect((await run('sqs', 'list-queues')).QueueUrls).toContain(`${edge.url}/000000000000/local-broadcast`);
    const rules = (await run('events', 'list-rules', '--event-bus-name', 'live-comments-local')).Rules as {
      Name: string;
    }[];
    expect(rules.map((rule) => rule.Name)).toEqual(['local-comment-created']);
  }, 30_000);
});
