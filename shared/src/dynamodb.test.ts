import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batchGetAll,
  batchWriteAll,
  cancellationCodes,
  isConditionalCheckFailed,
  retryOnConflict,
  transactWrite,
} from './dynamodb';

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

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('transactWrite', () => {
  const items = [{ Put: { TableName: 't', Item: { id: 'a' } } }];

  it('retries a TransactionConflict with a jittered pause, then applies', async () => {
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    expect(await transactWrite(client, items, { sleep })).toBeUndefined();
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(pauses).toHaveLength(1);
  });

  it('answers the cancellation of a refused condition for the caller to read, without retrying', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    const refused = await transactWrite(client, items, { sleep });
    expect(cancellationCodes(refused)).toEqual(['ConditionalCheckFailed', 'None']);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('throws a conflict that outlasts maxAttempts, and any other error at once', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    await expect(transactWrite(client, items, { sleep, maxAttempts: 3 })).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
    dynamo.reset();
    dynamo.on(TransactWriteCommand).rejects(new Error('network'));
    await expect(transactWrite(client, items, { sleep })).rejects.toThrow('network');
  });
});

describe('retryOnConflict', () => {
  it('retries a single write refused with TransactionConflictException', async () => {
    let calls = 0;
    const result = await retryOnConflict(
      async () => {
        calls += 1;
        if (calls < 3) throw new TransactionConflictException({ message: 'busy', $metadata: {} });
        return 'done';
      },
      { sleep },
    );
    expect(result).toBe('done');
    expect(pauses).toHaveLength(2);
  });
});
