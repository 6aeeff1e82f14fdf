import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
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

const managementClients = new Map<string, ApiGatewayManagementApiClient>();

/** The `@connections` client of a WebSocket API stage, e.g. https://{api}.execute-api.{region}.amazonaws.com/{stage}. */
export const managementApi = (endpoint: string): ApiGatewayManagementApiClient => {
  let client = managementClients.get(endpoint);
  if (!client) {
    client = tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint }));
    managementClients.set(endpoint, client);
  }
  return client;
};
