import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoDbService, DynamoDbCallError, type DynamoDbService } from './dynamodb';
import { operationRequest } from './wire';

let service: DynamoDbService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

const createTable = async (dynamodb: DynamoDbService, name: string) => {
  await dynamodb.call('CreateTable', {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
  await dynamodb.waitForTable(name);
};

describe('DynamoDB service', () => {
  it('expires items by the injected clock and leaves refreshed ones', async () => {
    let now = 1_000_000;
    service = createDynamoDbService({ nowSeconds: () => now, ttlSweepIntervalMs: 60_000 });
    await createTable(service, 'sessions');
    service.ensureTimeToLive('sessions', 'ttl');
    await service.call('PutItem', { TableName: 'sessions', Item: { id: { S: 'a' }, ttl: { N: '1000100' } } });
    await service.call('PutItem', { TableName: 'sessions', Item: { id: { S: 'b' }, ttl: { N: '1000500' } } });
    expect(await service.sweepExpiredItems()).toBe(0);
    now = 1_000_200;
    expect(await service.sweepExpiredItems()).toBe(1);
    const { Count } = await service.call<{ Count: number }>('Scan', { TableName: 'sessions' });
    expect(Count).toBe(1);
  });

  it('forgets TTL when the table is deleted and created again', async () => {
    service = createDynamoDbService({ ttlSweepIntervalMs: 60_000 });
    await createTable(service, 'sessions');
    const enable = await service.handle(
      operationRequest('UpdateTimeToLive', {
        TableName: 'sessions',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    expect(enable.status).toBe(200);
    const deleted = await service.handle(operationRequest('DeleteTable', { TableName: 'sessions' }));
    expect(deleted.status).toBe(200);
    await service.waitForTable('sessions', true);
    await createTable(service, 'sessions');
    const described = await service.handle(operationRequest('DescribeTimeToLive', { TableName: 'sessions' }));
    expect(JSON.parse(described.body.toString())).toEqual({
      TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' },
    });
  });

  it('raises dynalite errors as DynamoDbCallError with the AWS code', async () => {
    service = createDynamoDbService({ ttlSweepIntervalMs: 60_000 });
    await expect(service.call('DescribeTable', { TableName: 'missing' })).rejects.toEqual(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    await expect(service.call('DescribeTable', { TableName: 'missing' })).rejects.toBeInstanceOf(
      DynamoDbCallError,
    );
  });
});
