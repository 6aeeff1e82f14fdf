import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { bodyOf, httpEvent, lambdaContext } from '@live-comments/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables } from '../testing/fakes';
import { buildCountConnectionsHandler } from './count-connections';

const { documents, connections: store } = mockedTables();

afterEach(() => documents.reset());

describe('GET /api/v1/websocket/connections', () => {
  const request = () =>
    buildCountConnectionsHandler({ connections: store })(
      httpEvent({ routeKey: 'GET /api/v1/websocket/connections' }),
      lambdaContext(),
    );

  it('answers the open count from the counter item', async () => {
    documents.on(GetCommand).resolves({ Item: { connectionId: '#open-connections', openConnections: 42 } });

    const result = await request();

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ connections: 42 });
    expect(documents.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      connectionId: '#open-connections',
    });
  });

  it('answers zero before the first connection', async () => {
    documents.on(GetCommand).resolves({});

    expect(bodyOf(await request())).toEqual({ connections: 0 });
  });
});
