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

describe('ReturnValuesOnConditionCheckFailure on single-item writes', () => {
  const refused = async (dynamodb: DynamoDbService, operation: string, input: Record<string, unknown>) => {
    const response = await dynamodb.handle(operationRequest(operation, input));
    return { status: response.status, body: JSON.parse(response.body.toString()) as Record<string, unknown> };
  };

  it('returns the item the condition saw with ALL_OLD (UpdateItem, PutItem, DeleteItem), nothing without it', async () => {
    service = createDynamoDbService({ ttlSweepIntervalMs: 60_000 });
    await createTable(service, 'limits');
    const item = { id: { S: 'alice' }, tat: { N: '1500' } };
    await service.call('PutItem', { TableName: 'limits', Item: item });
    const update = {
      TableName: 'limits',
      Key: { id: { S: 'alice' } },
      UpdateExpression: 'SET tat = :next',
      ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
      ExpressionAttributeValues: { ':next': { N: '2000' }, ':now': { N: '1000' } },
    };
    const withOld = await refused(service, 'UpdateItem', {
      ...update,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(withOld).toEqual({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: item,
      },
    });
    expect((await refused(service, 'UpdateItem', update)).body.Item).toBeUndefined();
    expect(
      (await refused(service, 'UpdateItem', { ...update, ReturnValuesOnConditionCheckFailure: 'NONE' })).body
        .Item,
    ).toBeUndefined();
    const put = await refused(service, 'PutItem', {
      TableName: 'limits',
      Item: { id: { S: 'alice' }, tat: { N: '1' } },
      ConditionExpression: 'attribute_not_exists(id)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(put.body.Item).toEqual(item);
    const remove = await refused(service, 'DeleteItem', {
      TableName: 'limits',
      Key: { id: { S: 'alice' } },
      ConditionExpression: 'tat = :other',
      ExpressionAttributeValues: { ':other': { N: '7' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(remove.body.Item).toEqual(item);
    // A write that passes answers as usual.
    const passed = await service.handle(
      operationRequest('UpdateItem', {
        ...update,
        ExpressionAttributeValues: { ':next': { N: '2000' }, ':now': { N: '1500' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    expect(passed.status).toBe(200);
    const { Item } = await service.call<{ Item: unknown }>('GetItem', {
      TableName: 'limits',
      Key: { id: { S: 'alice' } },
    });
    expect(Item).toEqual({ id: { S: 'alice' }, tat: { N: '2000' } });
  });

  it('returns no Item when there was none', async () => {
    service = createDynamoDbService({ ttlSweepIntervalMs: 60_000 });
    await createTable(service, 'limits');
    const result = await refused(service, 'UpdateItem', {
      TableName: 'limits',
      Key: { id: { S: 'nobody' } },
      UpdateExpression: 'SET tat = tat + :one',
      ConditionExpression: 'attribute_exists(tat)',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(result.status).toBe(400);
    expect(result.body.Item).toBeUndefined();
  });
});
