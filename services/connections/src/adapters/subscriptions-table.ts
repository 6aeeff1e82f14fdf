import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Topic } from '../domain/topics';
import type { Tables } from './connections-table';

export interface Subscription {
  topic: Topic;
  connectionId: string;
  subscribedAt: string;
  /** TTL, epoch seconds: the connection's own. */
  expiresAt: number;
}

/** Where the next page of a topic's subscribers starts (DynamoDB's LastEvaluatedKey). */
export type SubscriberCursor = Record<string, unknown>;

export interface SubscriberPage {
  connectionIds: string[];
  next?: SubscriberCursor;
}

export interface SubscriptionStore {
  /** Idempotent: subscribing twice to a topic is one subscription. */
  subscribe(subscription: Subscription): Promise<void>;
  /** Idempotent: unsubscribing from a topic one is not subscribed to does nothing. */
  unsubscribe(topic: Topic, connectionId: string): Promise<void>;
  /** One page of a topic's subscribers, by Query on the topic (never a Scan). */
  subscribers(topic: string, options: { limit: number; cursor?: SubscriberCursor }): Promise<SubscriberPage>;
}

export const buildSubscriptionsTable = ({
  client,
  tables,
}: {
  client: DynamoDBDocumentClient;
  tables: () => Tables;
}): SubscriptionStore => ({
  subscribe: async (subscription) => {
    await client.send(new PutCommand({ TableName: tables().subscriptions, Item: subscription }));
  },

  unsubscribe: async (topic, connectionId) => {
    await client.send(new DeleteCommand({ TableName: tables().subscriptions, Key: { topic, connectionId } }));
  },

  subscribers: async (topic, { limit, cursor }) => {
    const page = await client.send(
      new QueryCommand({
        TableName: tables().subscriptions,
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
});
