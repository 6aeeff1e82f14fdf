import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { disconnectEvent, lambdaContext } from '@live-comments/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables } from '../testing/fakes';
import { buildDisconnectHandler } from './disconnect';

const { documents, connections: store } = mockedTables();

afterEach(() => documents.reset());

describe('$disconnect', () => {
  it('closes the connection of the event', async () => {
    documents.on(DeleteCommand).resolves({});
    documents.on(QueryCommand).resolves({ Items: [] });

    const result = await buildDisconnectHandler({ connections: store })(
      disconnectEvent('gone-1'),
      lambdaContext(),
    );

    expect(result).toEqual({ statusCode: 200 });
    expect(documents.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ connectionId: 'gone-1' });
  });
});
