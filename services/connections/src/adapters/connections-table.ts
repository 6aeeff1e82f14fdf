import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionalCheckFailed } from '@live-comments/shared';
import type { ConnectionStore } from '../domain/ports';

/** The connections table, and the subscriptions table whose rows go with a closed connection. */
export interface Tables {
  connections: string;
  subscriptions: string;
}

/**
 * The open-connections counter lives in the connections table under a key no
 * API Gateway connection id can take (ids are base64, without `#`).
 */
export const OPEN_CONNECTIONS_KEY = '#open-connections';
const COUNT = 'openConnections';

export const buildConnectionsTable = ({
  client,
  tables,
}: {
  client: DynamoDBDocumentClient;
  tables: Tables;
}): ConnectionStore => {
  const changeCount = async (by: 1 | -1) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tables.connections,
          Key: { connectionId: OPEN_CONNECTIONS_KEY },
          ...(by === 1
            ? { UpdateExpression: 'ADD #count :one' }
            : // Never below zero, whatever drift TTL expiry or a lost $disconnect caused.
              { UpdateExpression: 'SET #count = #count - :one', ConditionExpression: '#count > :zero' }),
          ExpressionAttributeNames: { '#count': COUNT },
          ExpressionAttributeValues: by === 1 ? { ':one': 1 } : { ':one': 1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  };

  const deleteSubscriptionsOf = async (connectionId: string) => {
    const pages = paginateQuery(
      { client },
      {
        TableName: tables.subscriptions,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :connectionId',
        ExpressionAttributeValues: { ':connectionId': connectionId },
      },
    );
    for await (const page of pages) {
      const deletes = (page.Items ?? []).map((item) => ({
        DeleteRequest: { Key: { topic: item.topic, connectionId } },
      }));
      await batchWriteAll(client, tables.subscriptions, deletes);
    }
  };

  return {
    open: async (connection) => {
      try {
        await client.send(
          new PutCommand({
            TableName: tables.connections,
            Item: connection,
            ConditionExpression: 'attribute_not_exists(connectionId)',
          }),
        );
      } catch (error) {
        if (isConditionalCheckFailed(error)) return;
        throw error;
      }
      await changeCount(1);
    },

    close: async (connectionId) => {
      const { Attributes } = await client.send(
        new DeleteCommand({
          TableName: tables.connections,
          Key: { connectionId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      // Subscriptions go even when the connection record was already gone (a retried $disconnect).
      await deleteSubscriptionsOf(connectionId);
      if (!Attributes) return false;
      await changeCount(-1);
      return true;
    },

    openedBefore: async (connectedHour, connectedAt) => {
      const ids: string[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tables.connections,
          IndexName: 'byConnectedHour',
          KeyConditionExpression: 'connectedHour = :hour AND connectedAt < :before',
          ExpressionAttributeValues: { ':hour': connectedHour, ':before': connectedAt },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if (typeof item.connectionId === 'string') ids.push(item.connectionId);
        }
      }
      return ids;
    },

    tokenExpiredBy: async (tokenExpiryHour, nowSeconds) => {
      const ids: string[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tables.connections,
          IndexName: 'byTokenExpiry',
          KeyConditionExpression: 'tokenExpiryHour = :hour AND tokenExpiresAt <= :now',
          ExpressionAttributeValues: { ':hour': tokenExpiryHour, ':now': nowSeconds },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if (typeof item.connectionId === 'string') ids.push(item.connectionId);
        }
      }
      return ids;
    },

    countOpen: async () => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.connections, Key: { connectionId: OPEN_CONNECTIONS_KEY } }),
      );
      const count = Item?.[COUNT];
      return typeof count === 'number' && count > 0 ? count : 0;
    },
  };
};
