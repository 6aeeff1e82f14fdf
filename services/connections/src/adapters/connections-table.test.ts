import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables } from '../testing/fakes';

const { documents, connections: store } = mockedTables();
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

afterEach(() => documents.reset());

describe('connection store', () => {
  it('records a connection and adds one to the open count', async () => {
    documents.on(PutCommand).resolves({});
    documents.on(UpdateCommand).resolves({});

    await store.open({
      connectionId: 'c1',
      connectedAt: '2026-01-01T00:00:00.000Z',
      connectedHour: '2026-01-01T00#2',
      expiresAt: 1,
    });

    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { connectionId: 'c1' },
      ConditionExpression: 'attribute_not_exists(connectionId)',
    });
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { connectionId: '#open-connections' },
      UpdateExpression: 'ADD #count :one',
    });
  });

  it('counts a repeated $connect of the same connection once', async () => {
    documents.on(PutCommand).rejects(conditionFailed());

    await store.open({
      connectionId: 'c1',
      connectedAt: '2026-01-01T00:00:00.000Z',
      connectedHour: '2026-01-01T00#2',
      expiresAt: 1,
    });

    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('does not count a connection that was already gone, but still deletes its subscriptions', async () => {
    documents.on(DeleteCommand).resolves({});
    documents.on(QueryCommand).resolves({ Items: [{ topic: 'feed', connectionId: 'c1' }] });
    documents.on(BatchWriteCommand).resolves({});

    expect(await store.close('c1')).toBe(false);

    expect(documents.commandCalls(BatchWriteCommand)).toHaveLength(1);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('lists the connections of one opening-hour partition opened before a time, page by page', async () => {
    const startKey = { connectedHour: '2026-12-02T09#1', connectedAt: 't', connectionId: 'a' };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ connectionId: 'a' }], LastEvaluatedKey: startKey })
      .resolvesOnce({ Items: [{ connectionId: 'b' }] });

    expect(await store.openedBefore('2026-12-02T09#1', '2026-12-02T10:25:00.000Z')).toEqual(['a', 'b']);

    const queries = documents.commandCalls(QueryCommand).map(({ args: [command] }) => command.input);
    expect(queries[0]).toMatchObject({
      TableName: 'connections',
      IndexName: 'byConnectedHour',
      KeyConditionExpression: 'connectedHour = :hour AND connectedAt < :before',
      ExpressionAttributeValues: { ':hour': '2026-12-02T09#1', ':before': '2026-12-02T10:25:00.000Z' },
    });
    expect(queries[1]?.ExclusiveStartKey).toEqual(startKey);
  });

  it('deletes subscriptions page by page and in batches of 25, retrying unprocessed ones', async () => {
    const topics = Array.from({ length: 30 }, (_, index) => `post:p${index}`);
    documents.on(DeleteCommand).resolves({ Attributes: { connectionId: 'c1' } });
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: topics.slice(0, 20).map((topic) => ({ topic, connectionId: 'c1' })),
        LastEvaluatedKey: { connectionId: 'c1', topic: 'post:p19' },
      })
      .resolvesOnce({ Items: topics.slice(20).map((topic) => ({ topic, connectionId: 'c1' })) });
    documents
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: {
          subscriptions: [{ DeleteRequest: { Key: { topic: 'post:p0', connectionId: 'c1' } } }],
        },
      })
      .resolves({});
    documents.on(UpdateCommand).resolves({});

    expect(await store.close('c1')).toBe(true);

    const deleted = documents
      .commandCalls(BatchWriteCommand)
      .flatMap(({ args: [command] }) => command.input.RequestItems?.subscriptions ?? []);
    expect(deleted).toHaveLength(31);
    expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      connectionId: 'c1',
      topic: 'post:p19',
    });
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression: 'SET #count = #count - :one',
      ConditionExpression: '#count > :zero',
    });
  });

  it('leaves the count at zero rather than below', async () => {
    documents.on(DeleteCommand).resolves({ Attributes: { connectionId: 'c1' } });
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(UpdateCommand).rejects(conditionFailed());

    await expect(store.close('c1')).resolves.toBe(true);
  });
});
