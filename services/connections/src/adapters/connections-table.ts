import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionalCheckFailed, retryOnConflict } from '@live-comments/shared';
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
/** On a connection's record: its frame budget's theoretical arrival time (epoch ms, frame-budget.ts). */
export const FRAME_TAT = 'frameTat';
/** On a connection's record: how many subscriptions it has (subscriptions-table.ts keeps it). */
export const SUBSCRIPTION_COUNT = 'subscriptionCount';

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
    spendFrame: async (connectionId, now, intervalMs) => {
      const key = { connectionId };
      const names = { '#tat': FRAME_TAT };
      // A write on a record a subscribe transaction holds meets TransactionConflictException: retried.
      const update = (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>) =>
        retryOnConflict(() =>
          client.send(new UpdateCommand({ TableName: tables.connections, Key: key, ...input })),
        );
      const bucketInUse = async (): Promise<number | undefined> => {
        try {
          const { Attributes } = await update({
            UpdateExpression: 'SET #tat = #tat + :interval',
            ConditionExpression: '#tat >= :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':interval': intervalMs, ':now': now },
            ReturnValues: 'UPDATED_NEW',
          });
          return Number(Attributes?.[FRAME_TAT]);
        } catch (error) {
          if (isConditionalCheckFailed(error)) return undefined;
          throw error;
        }
      };
      // GCRA's max(tat, now) is two conditional writes (an update expression has no max), tried
      // in turn: a flood's frames find the bucket in use (one write), a quiet client's frame
      // finds it full (two). `tat` never goes back, so once the second is refused (another frame
      // moved `tat` past `now` meanwhile) the first must pass: a third refusal means no record.
      const inUse = await bucketInUse();
      if (inUse !== undefined) return inUse;
      try {
        await update({
          UpdateExpression: 'SET #tat = :next',
          ConditionExpression:
            'attribute_exists(connectionId) AND (attribute_not_exists(#tat) OR #tat < :now)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':next': now + intervalMs, ':now': now },
        });
        return now + intervalMs;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      return bucketInUse();
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
