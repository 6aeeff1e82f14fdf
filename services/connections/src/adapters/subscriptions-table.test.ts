import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables } from '../testing/fakes';

const { documents, subscriptions: store } = mockedTables();

afterEach(() => documents.reset());

/** A cancelled transaction: one reason per item, the connection's record with a refused condition when given. */
const cancelled = (codes: string[], record?: Record<string, AttributeValue>) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code, index) => ({
      Code,
      ...(index === 1 && record && Code === 'ConditionalCheckFailed' ? { Item: record } : {}),
    })),
  });

const subscription = {
  topic: 'feed' as const,
  connectionId: 'c1',
  subscribedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: 1,
};

describe('subscription store: the per-connection cap', () => {
  it('stores a new subscription and counts it on the connection record in one transaction', async () => {
    documents.on(TransactWriteCommand).resolves({});

    expect(await store.subscribe(subscription, 50)).toBe('subscribed');

    const [put, count] = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(put?.Put).toMatchObject({
      TableName: 'subscriptions',
      Item: subscription,
      ConditionExpression: 'attribute_not_exists(connectionId)',
    });
    expect(count?.Update).toMatchObject({
      TableName: 'connections',
      Key: { connectionId: 'c1' },
      UpdateExpression: 'ADD #count :one',
      ConditionExpression:
        'attribute_exists(connectionId) AND (attribute_not_exists(#count) OR #count < :max)',
      ExpressionAttributeNames: { '#count': 'subscriptionCount' },
      ExpressionAttributeValues: { ':one': 1, ':max': 50 },
    });
  });

  it('answers a topic already subscribed as subscribed, counting nothing, even at the cap', async () => {
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['ConditionalCheckFailed', 'None']))
      .rejectsOnce(
        cancelled(['ConditionalCheckFailed', 'ConditionalCheckFailed'], { subscriptionCount: { N: '50' } }),
      );

    expect(await store.subscribe(subscription, 50)).toBe('subscribed');
    expect(await store.subscribe(subscription, 50)).toBe('subscribed');
  });

  it('refuses a new topic at the cap, writing nothing', async () => {
    documents
      .on(TransactWriteCommand)
      .rejects(cancelled(['None', 'ConditionalCheckFailed'], { subscriptionCount: { N: '50' } }));

    expect(await store.subscribe(subscription, 50)).toBe('limit_reached');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('throws for a connection without a record (closed meanwhile): nothing is stored', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed']));

    await expect(store.subscribe(subscription, 50)).rejects.toThrow(/no record/);
  });

  it('deletes a subscription and takes it off the count in one transaction', async () => {
    documents.on(TransactWriteCommand).resolves({});

    await store.unsubscribe('feed', 'c1');

    const [remove, count] =
      documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(remove?.Delete).toMatchObject({
      Key: { topic: 'feed', connectionId: 'c1' },
      ConditionExpression: 'attribute_exists(connectionId)',
    });
    expect(count?.Update).toMatchObject({
      UpdateExpression: 'SET #count = #count - :one',
      ConditionExpression: '#count > :zero',
    });
  });

  it('counts nothing off for a topic not subscribed', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));

    await store.unsubscribe('feed', 'c1');

    expect(documents.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('still deletes a subscription the count does not hold (made before the cap)', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed']));
    documents.on(DeleteCommand).resolves({});

    await store.unsubscribe('feed', 'c1');

    expect(documents.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: 'subscriptions',
      Key: { topic: 'feed', connectionId: 'c1' },
    });
  });
});
