/**
 * The adapters' unit tests mock DynamoDB at the SDK's edge (tests only): the
 * document client mocked for the test file and reset after each test, and the
 * SDK's error for a refused condition.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach } from 'vitest';

/** Call at a test file's top level: `dynamo` answers every call made through `client`. */
export const mockedDocumentClient = () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  afterEach(() => dynamo.reset());
  return { dynamo, client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })) };
};

export const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
