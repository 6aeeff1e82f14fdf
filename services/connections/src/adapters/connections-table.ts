import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { delay } from '@live-comments/shared';
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

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ATTEMPTS = 5;

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

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
      if (!isConditionFailure(error)) throw error;
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
      const keys = (page.Items ?? []).map((item) => ({ topic: item.topic, connectionId }));
      for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
        let requests: Record<string, unknown>[] | undefined = keys
          .slice(start, start + BATCH_WRITE_LIMIT)
          .map((Key) => ({ DeleteRequest: { Key } }));
        for (let attempt = 1; requests && requests.length > 0; attempt++) {
          if (attempt > BATCH_WRITE_ATTEMPTS) throw new Error('Subscriptions left undeleted after retries');
          if (attempt > 1) await delay(Math.random() * 25 * 2 ** attempt);
          const result: BatchWriteCommandOutput = await client.send(
            new BatchWriteCommand({ RequestItems: { [tables.subscriptions]: requests } }),
          );
          requests = result.UnprocessedItems?.[tables.subscriptions];
        }
      }
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
        if (isConditionFailure(error)) return;
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

    countOpen: async () => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.connections, Key: { connectionId: OPEN_CONNECTIONS_KEY } }),
      );
      const count = Item?.[COUNT];
      return typeof count === 'number' && count > 0 ? count : 0;
    },
  };
};
