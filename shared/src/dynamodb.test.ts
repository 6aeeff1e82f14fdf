import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll, batchWriteAll, isConditionalCheckFailed } from './dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(client);
const pauses: number[] = [];
const sleep = async (ms: number) => {
  pauses.push(ms);
};

beforeEach(() => {
  dynamo.reset();
  pauses.length = 0;
});

describe('isConditionalCheckFailed', () => {
  it('recognises the modelled exception and nothing else', () => {
    const refused = new ConditionalCheckFailedException({ message: 'refused', $metadata: {} });
    expect(isConditionalCheckFailed(refused)).toBe(true);
    const lookalike = Object.assign(new Error('refused'), { name: 'ConditionalCheckFailedException' });
    expect(isConditionalCheckFailed(lookalike)).toBe(false);
    expect(isConditionalCheckFailed(undefined)).toBe(false);
  });
});

describe('batchWriteAll', () => {
  it('sends 25 requests per call and retries the unprocessed ones after a jittered pause', async () => {
    const requests = Array.from({ length: 30 }, (_, i) => ({ DeleteRequest: { Key: { id: `k${i}` } } }));
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { t: requests.slice(0, 2) } })
      .resolves({ UnprocessedItems: {} });
    await batchWriteAll(client, 't', requests, { sleep });
    const sizes = dynamo
      .commandCalls(BatchWriteCommand)
      .map((call) => call.args[0].input.RequestItems?.t?.length);
    expect(sizes).toEqual([25, 2, 5]);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThanOrEqual(0);
    expect(pauses[0]).toBeLessThan(25 * 4);
  });

  it('gives up, naming the table, when items stay unprocessed', async () => {
    const requests = [{ PutRequest: { Item: { id: 'a' } } }];
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: { t: requests } });
    await expect(batchWriteAll(client, 't', requests, { sleep, maxAttempts: 3 })).rejects.toThrow(
      /BatchWriteItem on t: 1 items still unprocessed after 3 attempts/,
    );
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });
});

describe('batchGetAll', () => {
  it('reads 100 keys per call, retries unprocessed keys and returns every item found', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => ({ id: `k${i}` }));
    const answer = (requested: { id: string }[], unprocessed: string[]) => ({
      Responses: { t: requested.filter((key) => !unprocessed.includes(key.id)) },
      UnprocessedKeys: { t: { Keys: requested.filter((key) => unprocessed.includes(key.id)) } },
    });
    dynamo
      .on(BatchGetCommand)
      .callsFakeOnce((input) => answer(input.RequestItems.t.Keys, ['k1']))
      .callsFake((input) => answer(input.RequestItems.t.Keys, []));
    const items = await batchGetAll(client, 't', keys, { sleep });
    expect(items.map((item) => item.id).sort()).toEqual(keys.map((key) => key.id).sort());
    expect(
      dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems?.t?.Keys?.length),
    ).toEqual([100, 1, 20]);
    expect(pauses).toHaveLength(1);
  });
});
