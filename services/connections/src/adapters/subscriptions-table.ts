import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SubscriptionStore } from '../domain/ports';

export const buildSubscriptionsTable = ({
  client,
  tableName,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): SubscriptionStore => ({
  subscribe: async (subscription) => {
    await client.send(new PutCommand({ TableName: tableName, Item: subscription }));
  },

  unsubscribe: async (topic, connectionId) => {
    await client.send(new DeleteCommand({ TableName: tableName, Key: { topic, connectionId } }));
  },

  subscribers: async (topic, { limit, cursor }) => {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
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
