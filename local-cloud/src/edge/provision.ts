/**
 * Stands the topology's resources up in the edge, the way CloudFormation would:
 * tables (then their TTL), queues (dead-letter queues before the queues that
 * redrive to them), buses, rules and targets. Running it twice changes nothing.
 */

import type { DynamoDbService } from '../dynamodb/dynamodb';
import { DynamoDbCallError } from '../dynamodb/dynamodb';
import type { EventBridgeEmulator } from '../eventbridge/emulator';
import type { TargetSpec } from '../eventbridge/model';
import { SqsCallError, type SqsService } from '../sqs/sqs';
import type { QueueDef, RuleTargetDef, TableDef, Topology } from '../topology/model';

interface Services {
  dynamodb: DynamoDbService;
  sqs: SqsService;
  eventBridge: EventBridgeEmulator;
}

/** The CreateTable fields dynalite understands; the rest of the CloudFormation properties are not its business. */
export const TABLE_FIELDS = [
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
] as const;

export async function provisionTopology(topology: Topology, services: Services): Promise<void> {
  for (const table of topology.tables) await provisionTable(table, services.dynamodb);
  for (const queue of dlqsFirst(topology.queues)) await provisionQueue(queue, services.sqs);
  for (const bus of topology.buses) services.eventBridge.createEventBus(bus.name);
  for (const rule of topology.rules) {
    services.eventBridge.createEventBus(rule.busName);
    services.eventBridge.putRule({
      Name: rule.name,
      EventBusName: rule.busName,
      EventPattern:
        typeof rule.eventPattern === 'string' ? rule.eventPattern : JSON.stringify(rule.eventPattern),
      State: rule.state,
      Description: rule.description,
    });
    if (rule.targets.length > 0)
      services.eventBridge.putTargets(rule.name, rule.busName, rule.targets.map(toTargetSpec));
  }
}

async function provisionTable(table: TableDef, dynamodb: DynamoDbService) {
  const exists = await dynamodb.call('DescribeTable', { TableName: table.name }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof DynamoDbCallError && error.code === 'ResourceNotFoundException') return false;
      throw error;
    },
  );
  if (!exists) await dynamodb.call('CreateTable', createTableInput(table));
  await dynamodb.waitForTable(table.name);
  const ttlAttribute = ttlAttributeOf(table);
  if (ttlAttribute) dynamodb.ensureTimeToLive(table.name, ttlAttribute);
}

/** CreateTable's input for a table of the topology: its keys, indexes and billing, on demand unless declared. */
export function createTableInput(table: TableDef): Record<string, unknown> {
  const input: Record<string, unknown> = { TableName: table.name };
  for (const field of TABLE_FIELDS) {
    if (table.properties[field] !== undefined) input[field] = table.properties[field];
  }
  if (input.BillingMode === undefined && input.ProvisionedThroughput === undefined)
    input.BillingMode = 'PAY_PER_REQUEST';
  return input;
}

/** The table's TTL attribute, when its TimeToLiveSpecification enables one. */
export const ttlAttributeOf = (table: TableDef): string | undefined =>
  table.ttlAttribute ?? ttlFromProperties(table.properties);

function ttlFromProperties(properties: Record<string, unknown>): string | undefined {
  const specification = properties.TimeToLiveSpecification as
    | { Enabled?: unknown; AttributeName?: unknown }
    | undefined;
  return specification?.Enabled === true && typeof specification.AttributeName === 'string'
    ? specification.AttributeName
    : undefined;
}

/** The queue's attributes as CreateQueue and SetQueueAttributes take them (FifoQueue aside: it cannot change). */
export function queueAttributes(queue: QueueDef): Record<string, string> {
  return {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    DelaySeconds: String(queue.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
    ...(queue.redrive
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: queue.redrive.deadLetterTargetArn,
            maxReceiveCount: queue.redrive.maxReceiveCount,
          }),
        }
      : {}),
  };
}

async function provisionQueue(queue: QueueDef, sqs: SqsService) {
  const attributes = queueAttributes(queue);
  const existing = await sqs
    .call<{ QueueUrl: string }>('GetQueueUrl', { QueueName: queue.name })
    .catch((error: unknown) => {
      if (error instanceof SqsCallError && error.code === 'QueueDoesNotExist') return undefined;
      throw error;
    });
  if (existing) {
    // Converge attributes (a changed serverless.yml) instead of failing on QueueNameExists.
    await sqs.call('SetQueueAttributes', { QueueUrl: existing.QueueUrl, Attributes: attributes });
    return;
  }
  await sqs.call('CreateQueue', {
    QueueName: queue.name,
    Attributes: { ...attributes, ...(queue.fifo ? { FifoQueue: 'true' } : {}) },
  });
}

/** Queues that others redrive to come first, so a RedrivePolicy never names a missing queue. */
export function dlqsFirst(queues: QueueDef[]): QueueDef[] {
  const deadLetterArns = new Set(
    queues.flatMap((queue) => (queue.redrive ? [queue.redrive.deadLetterTargetArn] : [])),
  );
  return [...queues].sort((a, b) => Number(deadLetterArns.has(b.arn)) - Number(deadLetterArns.has(a.arn)));
}

export function toTargetSpec(target: RuleTargetDef): TargetSpec {
  return {
    Id: target.id,
    Arn: target.arn,
    ...(target.input !== undefined ? { Input: target.input } : {}),
    ...(target.inputPath !== undefined ? { InputPath: target.inputPath } : {}),
    ...(target.retryPolicy
      ? {
          RetryPolicy: {
            MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
            MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
          },
        }
      : {}),
    ...(target.deadLetterArn ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
  };
}
