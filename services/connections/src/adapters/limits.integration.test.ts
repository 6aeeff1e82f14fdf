/**
 * The per-connection limits' adapters against a real DynamoDB implementation
 * (the local cloud's: dynalite plus its TransactWriteItems), with the tables
 * as serverless.yml declares them: the frame budget's conditional updates and
 * the subscription count's transactions, exact under concurrent calls.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Topic } from '@live-comments/events/websocket';
import type { Edge } from '@live-comments/local-cloud/edge/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeWithTables } from '../../../../tests/integration/support/tables';
import { buildConnectionsTable, SUBSCRIPTION_COUNT } from './connections-table';
import { buildSubscriptionsTable } from './subscriptions-table';

let edge: Edge;
let client: DynamoDBDocumentClient;
const tables = { connections: 'it-connections', subscriptions: 'it-subscriptions' };

beforeAll(async () => {
  ({ edge, client } = await edgeWithTables(new URL('../../serverless.yml', import.meta.url), {
    ConnectionsTable: tables.connections,
    SubscriptionsTable: tables.subscriptions,
  }));
});

afterAll(async () => {
  await edge.stop();
});

const connections = () => buildConnectionsTable({ client, tables });
const subscriptions = () => buildSubscriptionsTable({ client, tables });

let opened = 0;
/** A connection record as $connect writes it. */
const openConnection = async () => {
  const connectionId = `conn-${++opened}=`;
  await connections().open({
    connectionId,
    connectedAt: new Date().toISOString(),
    connectedHour: '2026-12-06T22#0',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  return connectionId;
};

const subscription = (connectionId: string, topic: Topic) => ({
  topic,
  connectionId,
  subscribedAt: new Date().toISOString(),
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});

const countOf = async (connectionId: string) =>
  (await client.send(new GetCommand({ TableName: tables.connections, Key: { connectionId } }))).Item?.[
    SUBSCRIPTION_COUNT
  ];

const topicsOf = async (connectionId: string) =>
  (
    await client.send(
      new QueryCommand({
        TableName: tables.subscriptions,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': connectionId },
      }),
    )
  ).Items ?? [];

describe('the frame budget on a real table', () => {
  it('spends exactly one interval per frame under 100 concurrent frames, and starts from now when quiet', async () => {
    const connectionId = await openConnection();
    const now = Date.now();

    const tats = await Promise.all(
      Array.from({ length: 100 }, () => connections().spendFrame(connectionId, now, 100)),
    );

    expect([...tats].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 100 }, (_, i) => now + (i + 1) * 100),
    );
    // An hour later the budget is full again: the debt is not carried, nor credit saved up.
    expect(await connections().spendFrame(connectionId, now + 3_600_000, 100)).toBe(now + 3_600_100);
  });

  it('leaves a neighbouring connection untouched, and creates no record for an unknown one', async () => {
    const flooder = await openConnection();
    const neighbour = await openConnection();
    const now = Date.now();
    await Promise.all(Array.from({ length: 50 }, () => connections().spendFrame(flooder, now, 100)));

    expect(await connections().spendFrame(neighbour, now, 100)).toBe(now + 100);
    expect(await connections().spendFrame('never-connected=', now, 100)).toBeUndefined();
    expect(
      (
        await client.send(
          new GetCommand({ TableName: tables.connections, Key: { connectionId: 'never-connected=' } }),
        )
      ).Item,
    ).toBeUndefined();
  });
});

describe('the subscription cap on real tables', () => {
  it('acknowledges exactly 50 of 60 concurrent subscribes to distinct topics, and stores only those', async () => {
    const connectionId = await openConnection();

    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        subscriptions().subscribe(subscription(connectionId, `post:p${i}`), 50),
      ),
    );

    expect(outcomes.filter((outcome) => outcome === 'subscribed')).toHaveLength(50);
    expect(outcomes.filter((outcome) => outcome === 'limit_reached')).toHaveLength(10);
    expect(await countOf(connectionId)).toBe(50);
    expect(await topicsOf(connectionId)).toHaveLength(50);
  });

  it('counts a topic once however often it is subscribed or unsubscribed, even concurrently', async () => {
    const connectionId = await openConnection();
    const feed = subscription(connectionId, 'feed');

    expect(await Promise.all(Array.from({ length: 5 }, () => subscriptions().subscribe(feed, 50)))).toEqual(
      Array(5).fill('subscribed'),
    );
    expect(await countOf(connectionId)).toBe(1);

    await Promise.all(Array.from({ length: 5 }, () => subscriptions().unsubscribe('feed', connectionId)));
    expect(await countOf(connectionId)).toBe(0);
    expect(await topicsOf(connectionId)).toHaveLength(0);
  });

  it('frees a place at the cap on unsubscribe, and a re-subscribe at the cap is still acknowledged', async () => {
    const connectionId = await openConnection();
    for (let i = 0; i < 3; i++) await subscriptions().subscribe(subscription(connectionId, `post:q${i}`), 3);

    expect(await subscriptions().subscribe(subscription(connectionId, 'post:q0'), 3)).toBe('subscribed');
    expect(await subscriptions().subscribe(subscription(connectionId, 'post:q3'), 3)).toBe('limit_reached');
    await subscriptions().unsubscribe('post:q1', connectionId);
    expect(await subscriptions().subscribe(subscription(connectionId, 'post:q3'), 3)).toBe('subscribed');
    expect((await topicsOf(connectionId)).map((item) => item.topic).sort()).toEqual([
      'post:q0',
      'post:q2',
      'post:q3',
    ]);
  });

  it('stores nothing for a connection that has no record (closed meanwhile), and close takes the count with it', async () => {
    await expect(subscriptions().subscribe(subscription('gone=', 'feed'), 50)).rejects.toThrow(/no record/);
    expect(await topicsOf('gone=')).toHaveLength(0);

    const connectionId = await openConnection();
    await subscriptions().subscribe(subscription(connectionId, 'feed'), 50);
    expect(await connections().close(connectionId)).toBe(true);
    expect(await topicsOf(connectionId)).toHaveLength(0);
    expect(await countOf(connectionId)).toBeUndefined();
  });
});
