import { readFileSync } from 'node:fs';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Edge, startEdge } from '@live-comments/local-cloud/edge/index';
import { parse } from 'yaml';

type Resources = Record<string, { Properties?: Record<string, unknown> }>;

/**
 * A table as a stack's serverless.yml declares it, for CreateTable: the
 * CloudFormation-only settings (point-in-time recovery, TTL) left out, the
 * name replaced. CloudFormation's tags (!GetAtt, !Sub ...) are not resolved:
 * table definitions here use none.
 */
const tableDefinition = (serverlessYml: URL, logicalId: string, name: string): CreateTableCommandInput => {
  const template = parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'silent' }) as {
    resources: { Resources: Resources };
  };
  const {
    TableName: _,
    PointInTimeRecoverySpecification: __,
    TimeToLiveSpecification: ___,
    ...properties
  } = template.resources.Resources[logicalId]?.Properties ?? {};
  return { ...properties, TableName: name } as CreateTableCommandInput;
};

/**
 * The local cloud's DynamoDB (dynalite plus its transactions) on a free port,
 * with some of a service's tables (logical id -> name) created from its own
 * serverless.yml, and a document client for them: for adapter tests against a
 * real engine, which check what the SDK mocks cannot.
 */
export const edgeWithTables = async (
  serverlessYml: URL,
  tables: Record<string, string>,
): Promise<{ edge: Edge; client: DynamoDBDocumentClient }> => {
  const edge = await startEdge({ port: 0, log: () => {} });
  const raw = new DynamoDBClient({
    endpoint: edge.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const [logicalId, name] of Object.entries(tables)) {
    await raw.send(new CreateTableCommand(tableDefinition(serverlessYml, logicalId, name)));
  }
  // dynalite answers item calls only once a table is ACTIVE.
  for (const name of Object.values(tables)) await edge.dynamodb.waitForTable(name);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { edge, client };
};
