import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  CONDITION_FAILED,
  cancellationCodes,
  type TransactItems,
  transactWrite,
} from '@live-comments/shared';
import type { SubscriptionStore } from '../domain/ports';
import { SUBSCRIPTION_COUNT, type Tables } from './connections-table';

/**
 * Subscribes of one connection arrive at once (a client subscribes every
 * topic again on reconnect) and each transaction holds the connection's
 * record: more attempts than the default before a conflict is an error.
 */
const CONFLICT_ATTEMPTS = 8;

export const buildSubscriptionsTable = ({
  client,
  tables,
}: {
  client: DynamoDBDocumentClient;
  tables: Tables;
}): SubscriptionStore => {
  const countOn = (connectionId: string) => ({
    TableName: tables.connections,
    Key: { connectionId },
    ExpressionAttributeNames: { '#count': SUBSCRIPTION_COUNT },
  });

  return {
    subscribe: async (subscription, maxPerConnection) => {
      const { connectionId } = subscription;
      const items: TransactItems = [
        {
          Put: {
            TableName: tables.subscriptions,
            Item: subscription,
            ConditionExpression: 'attribute_not_exists(connectionId)',
          },
        },
        {
          Update: {
            ...countOn(connectionId),
            UpdateExpression: 'ADD #count :one',
            ConditionExpression:
              'attribute_exists(connectionId) AND (attribute_not_exists(#count) OR #count < :max)',
            ExpressionAttributeValues: { ':one': 1, ':max': maxPerConnection },
            // Tells a full connection (its record comes back) from one without a record.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ];
      const cancelled = await transactWrite(client, items, { maxAttempts: CONFLICT_ATTEMPTS });
      if (!cancelled) return 'subscribed';
      const codes = cancellationCodes(cancelled) ?? [];
      // Already subscribed: idempotent, counted once (even at the cap).
      if (codes[0] === CONDITION_FAILED) return 'subscribed';
      if (codes[1] === CONDITION_FAILED) {
        if (cancelled.CancellationReasons?.[1]?.Item) return 'limit_reached';
        throw new Error(`Subscribe refused: connection ${connectionId} has no record`);
      }
      throw new Error(`Subscribe transaction cancelled: ${codes.join(', ')}`);
    },

    unsubscribe: async (topic, connectionId) => {
      const key = { topic, connectionId };
      const items: TransactItems = [
        {
          Delete: {
            TableName: tables.subscriptions,
            Key: key,
            ConditionExpression: 'attribute_exists(connectionId)',
          },
        },
        {
          Update: {
            ...countOn(connectionId),
            UpdateExpression: 'SET #count = #count - :one',
            ConditionExpression: '#count > :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          },
        },
      ];
      const cancelled = await transactWrite(client, items, { maxAttempts: CONFLICT_ATTEMPTS });
      if (!cancelled) return;
      const codes = cancellationCodes(cancelled) ?? [];
      // Not subscribed: nothing to do, nothing to count.
      if (codes[0] === CONDITION_FAILED) return;
      if (codes[1] !== CONDITION_FAILED) {
        throw new Error(`Unsubscribe transaction cancelled: ${codes.join(', ')}`);
      }
      // No count to take from (a subscription from before the cap, or no record): the row still goes.
      await client.send(new DeleteCommand({ TableName: tables.subscriptions, Key: key }));
    },

    subscribers: async (topic, { limit, cursor }) => {
      const page = await client.send(
        new QueryCommand({
          TableName: tables.subscriptions,
          KeyConditionExpression: 'topic = :topic',
          ExpressionAttributeValues: { ':topic': topic },
          ProjectionExpression: 'connectionId',
          Limit: limit,
          ExclusiveStartKey: cursor,
        }),
      );
      return {
        connectionIds: (page.Items ?? []).flatMap((item) =>
          typeof item.connectionId === 'string' ? [item.connectionId] : [],
        ),
        ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}),
      };
    },
  };
};
