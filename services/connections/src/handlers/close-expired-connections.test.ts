import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext, scheduleEvent } from '@live-comments/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionsApi } from '../adapters/connections-api';
import { createConnectionCloser, createFrameSender } from '../adapters/frame-sender';
import { answers, fakeGateway, mockedTables, scriptOpenConnection } from '../testing/fakes';
import { buildCloseExpiredConnectionsHandler } from './close-expired-connections';

const { documents, connections } = mockedTables();
const gateway = fakeGateway();
const api = createConnectionsApi({
  endpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/test',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  transport: gateway.transport,
});
const NOW = Date.parse('2026-12-02T12:30:00Z');
const sweep = () =>
  buildCloseExpiredConnectionsHandler({
    connections,
    sendFrame: createFrameSender({ api }),
    closeConnection: createConnectionCloser(api),
    now: () => NOW,
  })(scheduleEvent(), lambdaContext());

afterEach(() => {
  documents.reset();
  gateway.reset();
});

const expiredIn = (hour: string, ids: string[]) =>
  documents
    .on(QueryCommand, { IndexName: 'byTokenExpiry', ExpressionAttributeValues: { ':hour': hour } })
    .resolves({ Items: ids.map((connectionId) => ({ connectionId, tokenExpiryHour: hour })) });

const closingFrame = {
  type: 'error',
  code: 'token_expired',
  message: 'The token has expired: connect again with a fresh one.',
};

describe('closeExpired (every minute)', () => {
  it('reads the expiry hours of the last 2 hours, sends token_expired, deletes the connection and its record', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    expiredIn('2026-12-02T12#2', ['expired-1']);
    scriptOpenConnection(documents, 'expired-1', ['post:p1']);

    await sweep();

    const queries = documents
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.IndexName === 'byTokenExpiry');
    expect(queries).toHaveLength(12); // 10:00 to 12:00, 4 shards each
    expect(queries[0]).toMatchObject({
      TableName: 'connections',
      KeyConditionExpression: 'tokenExpiryHour = :hour AND tokenExpiresAt <= :now',
      ExpressionAttributeValues: { ':hour': '2026-12-02T10#0', ':now': NOW / 1000 },
    });
    // The frame says why (the close code of DeleteConnection cannot), then the socket is closed.
    expect(gateway.sent.map(({ connectionId, frame }) => ({ connectionId, frame }))).toEqual([
      { connectionId: 'expired-1', frame: closingFrame },
    ]);
    expect(gateway.deleted.map(({ connectionId }) => connectionId)).toEqual(['expired-1']);
    expect(gateway.sent[0]?.request.method).toBe('POST');
    // ... and the record goes as $disconnect would take it (and leaves the index).
    expect(documents.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key)).toEqual([
      { connectionId: 'expired-1' },
    ]);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('closes a connection already gone at the gateway (its $disconnect lost) as well', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    expiredIn('2026-12-02T12#1', ['lost']);
    scriptOpenConnection(documents, 'lost', []);
    gateway.answer('lost', answers.gone);

    await sweep();

    expect(gateway.deleted.map(({ connectionId }) => connectionId)).toEqual(['lost']);
    expect(documents.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it('keeps a connection it could not delete for the next run, closes the others, and fails the run', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    expiredIn('2026-12-02T12#0', ['stuck', 'fine']);
    scriptOpenConnection(documents, 'stuck', []);
    scriptOpenConnection(documents, 'fine', []);
    gateway.respond((connectionId) => (connectionId === 'stuck' ? answers.internalError : undefined));

    await expect(sweep()).rejects.toThrow('1 expired-token connection(s) could not be closed');
    expect(documents.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key)).toEqual([
      { connectionId: 'fine' },
    ]);
  });
});
