import { BatchWriteCommand, DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext, scheduleEvent } from '@live-comments/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables, scriptOpenConnection } from '../testing/fakes';
import { buildSweepConnectionsHandler } from './sweep-connections';

const { documents, connections: store } = mockedTables();
const NOW = Date.parse('2026-12-02T12:30:00Z');
const sweep = (event: unknown = scheduleEvent()) =>
  buildSweepConnectionsHandler({ connections: store, now: () => NOW })(event, lambdaContext());

afterEach(() => documents.reset());

const staleIn = (hour: string, ids: string[]) =>
  documents
    .on(QueryCommand, { IndexName: 'byConnectedHour', ExpressionAttributeValues: { ':hour': hour } })
    .resolves({ Items: ids.map((connectionId) => ({ connectionId, connectedHour: hour })) });

describe('sweepConnections (every 10 minutes)', () => {
  it('closes the connections open past API Gateway’s 2 hours, as $disconnect would', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    staleIn('2026-12-02T09#1', ['stale-1']);
    scriptOpenConnection(documents, 'stale-1', ['feed']);

    await sweep();

    const sweepQueries = documents
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.IndexName === 'byConnectedHour');
    expect(sweepQueries).toHaveLength(16); // 4 hours x 4 shards
    expect(sweepQueries[0]).toMatchObject({
      TableName: 'connections',
      KeyConditionExpression: 'connectedHour = :hour AND connectedAt < :before',
      ExpressionAttributeValues: { ':hour': '2026-12-02T07#0', ':before': '2026-12-02T10:25:00.000Z' },
    });
    expect(documents.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key)).toEqual([
      { connectionId: 'stale-1' },
    ]);
    expect(documents.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems).toEqual({
      subscriptions: [{ DeleteRequest: { Key: { topic: 'feed', connectionId: 'stale-1' } } }],
    });
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { connectionId: '#open-connections' },
      UpdateExpression: 'SET #count = #count - :one',
    });
  });

  it('does not count down a connection closed meanwhile', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    staleIn('2026-12-02T10#2', ['gone-already']);
    documents.on(DeleteCommand).resolves({});

    await sweep();

    expect(documents.commandCalls(DeleteCommand)).toHaveLength(1);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('closes the others and then fails the run when one cannot be closed', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    staleIn('2026-12-02T08#0', ['broken', 'fine']);
    documents.on(DeleteCommand, { Key: { connectionId: 'broken' } }).rejects(new Error('throttled'));
    documents
      .on(DeleteCommand, { Key: { connectionId: 'fine' } })
      .resolves({ Attributes: { connectionId: 'fine' } });
    documents.on(UpdateCommand).resolves({});

    await expect(sweep()).rejects.toThrow('1 stale connection(s) could not be closed');
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
