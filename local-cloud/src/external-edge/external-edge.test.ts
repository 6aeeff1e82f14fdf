import { createServer, type Server } from 'node:http';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../edge';
import { SettingsError } from '../settings-error';
import { queueArn, queueDef, topologyWith } from '../testing';
import type { RuleDef, TableDef, Topology } from '../topology/model';
import { connectExternalEdge, differences } from './external-edge';

const table: TableDef = {
  stack: 's',
  logicalId: 'Subscriptions',
  name: 'ext-subscriptions',
  arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/ext-subscriptions',
  properties: {
    AttributeDefinitions: [
      { AttributeName: 'topic', AttributeType: 'S' },
      { AttributeName: 'connectionId', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'topic', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byConnection',
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  },
  ttlAttribute: 'expiresAt',
};

const rule: RuleDef = {
  stack: 's',
  logicalId: 'Rule',
  name: 'ext-comment-events',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/ext-bus/ext-comment-events',
  busName: 'ext-bus',
  eventPattern: { source: ['live-comments.comments'] },
  state: 'ENABLED',
  targets: [
    {
      id: 'queue',
      arn: queueArn('ext-work'),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600 },
      deadLetterArn: queueArn('ext-rule-dlq'),
    },
  ],
};

const topology: Topology = topologyWith({
  tables: [table],
  queues: [
    queueDef('ext-work', { redrive: { deadLetterTargetArn: queueArn('ext-work-dlq'), maxReceiveCount: 4 } }),
    queueDef('ext-work-dlq'),
    queueDef('ext-rule-dlq'),
  ],
  buses: [{ name: 'ext-bus', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/ext-bus', stack: 's' }],
  rules: [rule],
});

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );

describe('an external edge, through the AWS SDK', () => {
  // Another local cloud's edge stands in for LocalStack or moto: it speaks the same protocols.
  let other: Edge;
  beforeAll(async () => {
    other = await startEdge({ port: 0, log: () => {} });
  });
  afterAll(async () => {
    await other.stop();
  });

  it('provisions tables with their indexes and TTL, queues with redrive, the bus, rules and targets; twice changes nothing', async () => {
    const edge = await connectExternalEdge({ url: `${other.url}/`, region: 'us-east-1' });
    const config = {
      endpoint: other.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const dynamodb = new DynamoDBClient(config);
    const sqs = new SQSClient(config);
    const events = new EventBridgeClient(config);
    try {
      expect(edge).toMatchObject({ kind: 'external', url: other.url, product: 'local cloud' });
      expect(await edge.provision(topology)).toEqual([]);
      expect(await edge.provision(topology)).toEqual([]);

      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byConnection']);
      expect(Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });

      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: `${other.url}/000000000000/ext-work`,
          AttributeNames: ['RedrivePolicy'],
        }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: queueArn('ext-work-dlq'),
        maxReceiveCount: 4,
      });

      const { Targets } = await events.send(
        new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: rule.busName }),
      );
      expect(Targets).toEqual([
        {
          Id: 'queue',
          Arn: queueArn('ext-work'),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: queueArn('ext-rule-dlq') },
        },
      ]);
      expect(await edge.health()).toEqual({
        url: other.url,
        product: 'local cloud',
        reachable: true,
        services: { dynamodb: 'running', sqs: 'running', events: 'running' },
      });
    } finally {
      dynamodb.destroy();
      sqs.destroy();
      events.destroy();
      await edge.stop();
    }
  });

  it('refuses an edge that does not answer, in one line naming LC_EDGE_URL and the URL', async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const refused = connectExternalEdge({ url, region: 'us-east-1', timeoutMs: 1000 });
    await expect(refused).rejects.toBeInstanceOf(SettingsError);
    await expect(refused).rejects.toThrow(
      new RegExp(`^LC_EDGE_URL: ${url} is not reachable as DynamoDB, SQS and EventBridge \\(.*ECONNREFUSED`),
    );
    await expect(refused).rejects.toThrow(/^[^\n]+$/);
  });

  it('names the services an endpoint does not answer', async () => {
    // Answers DynamoDB's JSON protocol only, as a DynamoDB-only emulator would.
    const server = createServer((request, response) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      request.resume();
      if (target.startsWith('DynamoDB_')) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{"TableNames":[]}');
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not here');
      }
    });
    const url = await listen(server);
    try {
      const refused = connectExternalEdge({ url, region: 'us-east-1', timeoutMs: 1000 });
      await expect(refused).rejects.toThrow(
        new RegExp(`^LC_EDGE_URL: ${url} does not answer sqs \\(.*\\), events \\(`),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('differences', () => {
  it('lists what moto does not do of what the topology uses, and nothing elsewhere', () => {
    const inputs = topologyWith({
      ...topology,
      rules: [
        rule,
        {
          ...rule,
          name: 'ext-off',
          state: 'DISABLED',
          targets: [{ id: 'p', arn: queueArn('x'), inputPath: '$.detail' }],
        },
      ],
    });
    expect(differences('moto', inputs)).toEqual([
      expect.stringMatching(
        /^moto delivers rule targets inside PutEvents, once: no retry policy, no target DLQ/,
      ),
      'moto ignores Input/InputPath of target p of rule ext-off: it sends the whole event',
      'moto delivers to the targets of DISABLED rules too',
      'moto records DynamoDB TTL settings but never deletes expired items',
    ]);
    expect(differences('moto', topologyWith({}))).toEqual([]);
    expect(differences('LocalStack', inputs)).toEqual([]);
  });
});
