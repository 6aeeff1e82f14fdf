import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { once } from './config';
import { tracer } from './powertools';

/**
 * One traced client per AWS service, built once per container. Endpoints come
 * from the SDK's own configuration (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>),
 * so the same code talks to AWS or to the local cloud.
 */
export const dynamoDb = once(() => tracer.captureAWSv3Client(new DynamoDBClient({})));

export const documentClient = once(() =>
  DynamoDBDocumentClient.from(dynamoDb(), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const eventBridge = once(() => tracer.captureAWSv3Client(new EventBridgeClient({})));
