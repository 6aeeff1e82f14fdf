import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../edge/edge';
import { createDynamoDbService, type DynamoDbService } from './dynamodb';
import { operationRequest } from './wire';

type Item = Record<string, Record<string, unknown>>;
const S = (value: string) => ({ S: value });
const N = (value: number) => ({ N: String(value) });
const ACCOUNTS = 'accounts';
/** Composite key, so a Put's key must be derived from the table's KeySchema. */
const POSTS = 'posts';

const createTables = async (dynamodb: DynamoDbService) => {
  await dynamodb.call('CreateTable', {
    TableName: ACCOUNTS,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  });
  await dynamodb.call('CreateTable', {
    TableName: POSTS,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  });
  await dynamodb.waitForTable(ACCOUNTS);
  await dynamodb.waitForTable(POSTS);
};

describe('TransactWriteItems on the wire', () => {
  let service: DynamoDbService;
  let now = 1_000_000;

  beforeEach(async () => {
    now = 1_000_000;
    service = createDynamoDbService({ ttlSweepIntervalMs: 60_000, nowSeconds: () => now });
    await createTables(service);
  });
  afterEach(async () => {
    await service.stop();
  });

  const send = async (operation: string, input: unknown) => {
    const response = await service.handle(operationRequest(operation, input));
    return {
      status: response.status,
      headers: response.headers,
      body: JSON.parse(response.body.toString() || '{}') as Record<string, unknown>,
    };
  };
  const transact = (TransactItems: unknown[], extra: Record<string, unknown> = {}) =>
    send('TransactWriteItems', { TransactItems, ...extra });
  const put = (table: string, item: Item) => service.call('PutItem', { TableName: table, Item: item });
  const read = async (table: string, key: Item) =>
    (await service.call<{ Item?: Item }>('GetItem', { TableName: table, Key: key, ConsistentRead: true }))
      .Item;
  /** Everything in both tables, to compare before and after a refused transaction. */
  const snapshot = async () => {
    const scan = async (table: string) =>
      (await service.call<{ Items: Item[] }>('Scan', { TableName: table, ConsistentRead: true })).Items;
    return { accounts: await scan(ACCOUNTS), posts: await scan(POSTS) };
  };

  const seed = async () => {
    await put(ACCOUNTS, { id: S('alice'), balance: N(10) });
    await put(ACCOUNTS, { id: S('bob'), balance: N(0) });
    await put(POSTS, { pk: S('post#1'), sk: S('meta'), favoriteCount: N(3) });
  };

  const debitAlice = (amount: number) => ({
    Update: {
      TableName: ACCOUNTS,
      Key: { id: S('alice') },
      UpdateExpression: 'SET balance = balance - :amount',
      ConditionExpression: 'balance >= :amount',
      ExpressionAttributeValues: { ':amount': N(amount) },
    },
  });
  const newPost = (sk: string) => ({
    Put: {
      TableName: POSTS,
      Item: { pk: S('post#1'), sk: S(sk), text: S('hello') },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  it('applies every operation and answers {} when all succeed', async () => {
    await seed();
    const response = await transact([
      debitAlice(4),
      {
        Update: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          UpdateExpression: 'ADD balance :four',
          ExpressionAttributeValues: { ':four': N(4) },
        },
      },
      newPost('comment#1'),
      {
        Delete: {
          TableName: POSTS,
          Key: { pk: S('post#1'), sk: S('meta') },
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S('carol') },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
    ]);
    expect(response).toEqual({
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: {},
    });
    expect(await read(ACCOUNTS, { id: S('alice') })).toEqual({ id: S('alice'), balance: N(6) });
    expect(await read(ACCOUNTS, { id: S('bob') })).toEqual({ id: S('bob'), balance: N(4) });
    expect(await read(POSTS, { pk: S('post#1'), sk: S('comment#1') })).toEqual({
      pk: S('post#1'),
      sk: S('comment#1'),
      text: S('hello'),
    });
    expect(await read(POSTS, { pk: S('post#1'), sk: S('meta') })).toBeUndefined();
    // The passing ConditionCheck on a missing item did not create it.
    expect(await read(ACCOUNTS, { id: S('carol') })).toBeUndefined();
  });

  it('writes nothing when one condition fails, and gives one reason per item in order', async () => {
    await seed();
    const before = await snapshot();
    const response = await transact([
      newPost('comment#1'),
      {
        Update: {
          TableName: POSTS,
          Key: { pk: S('post#1'), sk: S('meta') },
          UpdateExpression: 'ADD favoriteCount :one',
          ExpressionAttributeValues: { ':one': N(1) },
        },
      },
      debitAlice(11),
      { Delete: { TableName: ACCOUNTS, Key: { id: S('bob') } } },
    ]);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed, None]',
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
        { Code: 'None' },
      ],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('reports every failed condition, not only the first', async () => {
    await seed();
    const response = await transact([
      debitAlice(11),
      {
        Delete: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          ConditionExpression: 'balance > :zero',
          ExpressionAttributeValues: { ':zero': N(0) },
        },
      },
      newPost('meta'),
    ]);
    expect(response.body.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
  });

  it('returns the old item in the reason with ReturnValuesOnConditionCheckFailure ALL_OLD', async () => {
    await seed();
    const allOld = (operation: { Update: Record<string, unknown> }) => ({
      Update: { ...operation.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
    });
    const response = await transact([
      allOld(debitAlice(11)),
      {
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S('nobody') },
          ConditionExpression: 'attribute_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'NONE',
        },
      },
    ]);
    expect(response.body.CancellationReasons).toEqual([
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { id: S('alice'), balance: N(10) },
      },
      // No item to return: it did not exist.
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
  });

  it('changes nothing with a ConditionCheck alone, passing or failing', async () => {
    await seed();
    const before = await snapshot();
    const check = (id: string, condition: string) => ({
      ConditionCheck: { TableName: ACCOUNTS, Key: { id: S(id) }, ConditionExpression: condition },
    });
    expect((await transact([check('alice', 'attribute_exists(id)')])).status).toBe(200);
    expect((await transact([check('zed', 'attribute_not_exists(id)')])).status).toBe(200);
    const failing = await transact([check('alice', 'attribute_not_exists(id)')]);
    expect(failing.status).toBe(400);
    expect(failing.body.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses two operations on one item, a Put included by its derived key', async () => {
    await seed();
    const before = await snapshot();
    const response = await transact([
      newPost('meta'),
      {
        Update: {
          TableName: POSTS,
          Key: { sk: S('meta'), pk: S('post#1') },
          UpdateExpression: 'ADD favoriteCount :one',
          ExpressionAttributeValues: { ':one': N(1) },
        },
      },
    ]);
    expect(response).toMatchObject({
      status: 400,
      body: {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'Transaction request cannot include multiple operations on one item',
      },
    });
    // The same key in another table is another item.
    const sameKeyElsewhere = await transact([
      {
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S('alice') },
          ConditionExpression: 'attribute_exists(id)',
        },
      },
      {
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          ConditionExpression: 'attribute_exists(id)',
        },
      },
    ]);
    expect(sameKeyElsewhere.status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('answers an invalid expression with ValidationException and undoes the writes before it', async () => {
    await seed();
    const before = await snapshot();
    const response = await transact([
      newPost('comment#1'),
      debitAlice(1),
      {
        Update: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          UpdateExpression: 'SET balance = ',
          ExpressionAttributeValues: { ':one': N(1) },
        },
      },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('com.amazon.coral.validate#ValidationException');
    expect(response.body.message).toMatch(/^Invalid UpdateExpression: Syntax error/);
    expect(await snapshot()).toEqual(before);
  });

  it("reports an error in the item's data as that item's ValidationError reason", async () => {
    await seed();
    const before = await snapshot();
    const response = await transact([
      debitAlice(1),
      {
        Update: {
          TableName: ACCOUNTS,
          Key: { id: S('bob') },
          UpdateExpression: 'SET balance = #gone + :one',
          ExpressionAttributeNames: { '#gone': 'gone' },
          ExpressionAttributeValues: { ':one': N(1) },
        },
      },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ValidationError',
        Message: 'The provided expression refers to an attribute that does not exist in the item',
      },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('answers a missing table with ResourceNotFoundException and writes nothing', async () => {
    await seed();
    const before = await snapshot();
    const response = await transact([debitAlice(1), { Put: { TableName: 'missing', Item: { id: S('x') } } }]);
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
    expect(await snapshot()).toEqual(before);
  });

  it('validates the request shape like AWS', async () => {
    const check = {
      ConditionCheck: {
        TableName: ACCOUNTS,
        Key: { id: S('a') },
        ConditionExpression: 'attribute_exists(id)',
      },
    };
    const refusal = async (input: Record<string, unknown>) => {
      const response = await send('TransactWriteItems', input);
      expect(response.status).toBe(400);
      expect(response.body.__type).toBe('com.amazon.coral.validate#ValidationException');
      return response.body.message;
    };
    expect(await refusal({})).toBe(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
    expect(await refusal({ TransactItems: [] })).toBe(
      "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(await refusal({ TransactItems: Array.from({ length: 101 }, () => check) })).toMatch(
      /Member must have length less than or equal to 100$/,
    );
    expect(
      await refusal({
        TransactItems: [{ ...check, Delete: { TableName: ACCOUNTS, Key: { id: S('a') } } }],
      }),
    ).toBe('TransactItems can only contain one of Check, Put, Update or Delete');
    expect(await refusal({ TransactItems: [{}] })).toBe(
      'TransactItems can only contain one of Check, Put, Update or Delete',
    );
    expect(
      await refusal({
        TransactItems: [check, { ConditionCheck: { TableName: ACCOUNTS, Key: { id: S('b') } } }],
      }),
    ).toBe(
      "1 validation error detected: Value null at 'transactItems.2.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
    );
    expect(
      await refusal({ TransactItems: [{ Update: { TableName: ACCOUNTS, Key: { id: S('b') } } }] }),
    ).toMatch(/^1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression'/);
    expect(
      await refusal({
        TransactItems: [
          {
            Put: {
              TableName: ACCOUNTS,
              Item: { id: S('c') },
              ReturnValuesOnConditionCheckFailure: 'ALL_NEW',
            },
          },
        ],
      }),
    ).toMatch(/Member must satisfy enum value set: \[ALL_OLD, NONE\]$/);
    expect(await refusal({ TransactItems: [check], ClientRequestToken: 'x'.repeat(37) })).toMatch(
      /at 'clientRequestToken' failed to satisfy constraint/,
    );
    // 100 is allowed.
    const hundred = await send('TransactWriteItems', {
      TransactItems: Array.from({ length: 100 }, (_, i) => ({
        ConditionCheck: {
          TableName: ACCOUNTS,
          Key: { id: S(`id${i}`) },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      })),
    });
    expect(hundred.status).toBe(200);
  });

  it('keeps a transfer atomic and isolated among concurrent transactions and ordinary writes', async () => {
    await put(ACCOUNTS, { id: S('a'), count: N(20) });
    await put(ACCOUNTS, { id: S('b'), count: N(0) });
    await put(ACCOUNTS, { id: S('c'), hits: N(0) });
    // B first: its old image is read at once, while an ordinary write to it may be in flight.
    // Every other transaction is refused by its last operation, after B's update was applied,
    // so rollbacks happen all along rather than only once A is empty.
    const move = (refused: boolean) =>
      transact([
        {
          Update: {
            TableName: ACCOUNTS,
            Key: { id: S('b') },
            UpdateExpression: 'ADD #count :one',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': N(1) },
          },
        },
        {
          Update: {
            TableName: ACCOUNTS,
            Key: { id: S('a') },
            UpdateExpression: 'SET #count = #count - :one',
            ConditionExpression: '#count > :zero',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': N(1), ':zero': N(0) },
          },
        },
        {
          ConditionCheck: {
            TableName: ACCOUNTS,
            Key: { id: S('c') },
            ConditionExpression: refused ? 'attribute_not_exists(id)' : 'attribute_exists(id)',
          },
        },
      ]);
    // Ordinary writes: to another item, and to another attribute of an item the transactions
    // write (and roll back): an interleaved rollback would lose some of the latter.
    const hit = (id: string) =>
      send('UpdateItem', {
        TableName: ACCOUNTS,
        Key: { id: S(id) },
        UpdateExpression: 'ADD hits :one',
        ExpressionAttributeValues: { ':one': N(1) },
      });
    const counts: number[][] = [];
    const observe = async () => {
      const { body } = await send('TransactGetItems', {
        TransactItems: [
          { Get: { TableName: ACCOUNTS, Key: { id: S('a') } } },
          { Get: { TableName: ACCOUNTS, Key: { id: S('b') } } },
        ],
      });
      const responses = body.Responses as { Item: { count: { N: string } } }[];
      counts.push(responses.map((response) => Number(response.Item.count.N)));
    };
    const work: Promise<unknown>[] = [];
    const moves: Promise<{ status: number }>[] = [];
    // An ordinary call takes dynalite ~4 turns of the event loop, a transaction ~13. Ordinary writes
    // launched just before each transaction, and then at every offset into it, meet it at each stage.
    const turns = async (count: number) => {
      for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    for (let i = 0; i < 50; i++) {
      work.push(hit('b'));
      moves.push(move(i % 2 === 1));
      await turns(i % 15);
      work.push(hit('b'), hit('c'), observe());
      // Now and then the gate falls idle, so the next transaction finds a write in flight.
      await turns(i % 3 === 0 ? 30 : 8);
    }
    await Promise.all(work);
    const moved = (await Promise.all(moves)).filter((result) => result.status === 200);
    expect(moved).toHaveLength(20);
    expect(Number((await read(ACCOUNTS, { id: S('a') }))?.count?.N)).toBe(0);
    expect(Number((await read(ACCOUNTS, { id: S('b') }))?.count?.N)).toBe(20);
    expect(Number((await read(ACCOUNTS, { id: S('c') }))?.hits?.N)).toBe(50);
    expect(Number((await read(ACCOUNTS, { id: S('b') }))?.hits?.N)).toBe(100);
    // Every consistent read in between saw the sum conserved and A never below zero.
    expect(counts).toHaveLength(50);
    for (const [a = -1, b = -1] of counts) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a + b).toBe(20);
    }
  });

  it('answers a replayed ClientRequestToken with 200 without applying it again', async () => {
    await seed();
    const input = {
      TransactItems: [
        {
          Update: {
            TableName: POSTS,
            Key: { pk: S('post#1'), sk: S('meta') },
            UpdateExpression: 'ADD favoriteCount :one',
            ExpressionAttributeValues: { ':one': N(1) },
          },
        },
      ],
      ClientRequestToken: 'token-1',
    };
    expect(await send('TransactWriteItems', input)).toMatchObject({ status: 200, body: {} });
    expect(await send('TransactWriteItems', input)).toMatchObject({ status: 200, body: {} });
    expect((await read(POSTS, { pk: S('post#1'), sk: S('meta') }))?.favoriteCount).toEqual(N(4));
    // Without a token, the same request applies again.
    const { ClientRequestToken: _, ...untokened } = input;
    await send('TransactWriteItems', untokened);
    expect((await read(POSTS, { pk: S('post#1'), sk: S('meta') }))?.favoriteCount).toEqual(N(5));
  });

  it('refuses a ClientRequestToken reused with another request', async () => {
    await seed();
    const increment = (by: number) => ({
      Update: {
        TableName: POSTS,
        Key: { pk: S('post#1'), sk: S('meta') },
        UpdateExpression: 'ADD favoriteCount :by',
        ExpressionAttributeValues: { ':by': N(by) },
      },
    });
    expect((await transact([increment(1)], { ClientRequestToken: 'token-2' })).status).toBe(200);
    const reused = await transact([increment(2)], { ClientRequestToken: 'token-2' });
    expect(reused.status).toBe(400);
    expect(reused.body.__type).toBe('com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException');
    expect((await read(POSTS, { pk: S('post#1'), sk: S('meta') }))?.favoriteCount).toEqual(N(4));
  });

  it('forgets a token after ten minutes, and never remembers a cancelled transaction', async () => {
    await seed();
    const increment = {
      Update: {
        TableName: POSTS,
        Key: { pk: S('post#1'), sk: S('meta') },
        UpdateExpression: 'ADD favoriteCount :one',
        ExpressionAttributeValues: { ':one': N(1) },
      },
    };
    const favoriteCount = async () => (await read(POSTS, { pk: S('post#1'), sk: S('meta') }))?.favoriteCount;
    await transact([increment], { ClientRequestToken: 'token-3' });
    now += 599;
    await transact([increment], { ClientRequestToken: 'token-3' });
    expect(await favoriteCount()).toEqual(N(4));
    now += 2;
    await transact([increment], { ClientRequestToken: 'token-3' });
    expect(await favoriteCount()).toEqual(N(5));

    // Refused for want of balance; the retry with the same token runs again once there is enough.
    const retry = () => transact([debitAlice(15), increment], { ClientRequestToken: 'token-4' });
    expect((await retry()).status).toBe(400);
    await put(ACCOUNTS, { id: S('alice'), balance: N(20) });
    expect((await retry()).status).toBe(200);
    expect(await read(ACCOUNTS, { id: S('alice') })).toEqual({ id: S('alice'), balance: N(5) });
    expect(await favoriteCount()).toEqual(N(6));
  });

  it('reads items consistently with TransactGetItems', async () => {
    await seed();
    const response = await send('TransactGetItems', {
      TransactItems: [
        { Get: { TableName: ACCOUNTS, Key: { id: S('bob') } } },
        { Get: { TableName: ACCOUNTS, Key: { id: S('nobody') } } },
        {
          Get: {
            TableName: POSTS,
            Key: { pk: S('post#1'), sk: S('meta') },
            ProjectionExpression: 'favoriteCount',
          },
        },
      ],
    });
    expect(response).toMatchObject({
      status: 200,
      body: { Responses: [{ Item: { id: S('bob'), balance: N(0) } }, {}, { Item: { favoriteCount: N(3) } }] },
    });
    const refused = await send('TransactGetItems', { TransactItems: [{ Get: { TableName: ACCOUNTS } }] });
    expect(refused.body.message).toMatch(/transactItems.1.member.get.key/);
  });
});

describe('TransactWriteItems through the AWS SDK and the edge', () => {
  let edge: Edge;
  let client: DynamoDBClient;

  beforeAll(async () => {
    edge = await startEdge({ port: 0, ttlSweepIntervalMs: 60_000, log: () => {} });
    client = new DynamoDBClient({
      endpoint: edge.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: ACCOUNTS,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await edge.dynamodb.waitForTable(ACCOUNTS);
  });
  afterAll(async () => {
    client?.destroy();
    await edge?.stop();
  });

  const balance = async (id: string) =>
    (await client.send(new GetItemCommand({ TableName: ACCOUNTS, Key: { id: S(id) }, ConsistentRead: true })))
      .Item?.balance;

  it('commits, and surfaces a cancellation as TransactionCanceledException with its reasons', async () => {
    await client.send(new PutItemCommand({ TableName: ACCOUNTS, Item: { id: S('sdk-a'), balance: N(1) } }));
    const transfer = new TransactWriteItemsCommand({
      TransactItems: [
        {
          Update: {
            TableName: ACCOUNTS,
            Key: { id: S('sdk-a') },
            UpdateExpression: 'SET balance = balance - :one',
            ConditionExpression: 'balance >= :one',
            ExpressionAttributeValues: { ':one': N(1) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Update: {
            TableName: ACCOUNTS,
            Key: { id: S('sdk-b') },
            UpdateExpression: 'ADD balance :one',
            ExpressionAttributeValues: { ':one': N(1) },
          },
        },
      ],
    });
    // The SDK fills ClientRequestToken itself; the same command object keeps it across sends.
    expect((await client.send(transfer)).$metadata.httpStatusCode).toBe(200);
    expect(await balance('sdk-a')).toEqual(N(0));
    expect(await balance('sdk-b')).toEqual(N(1));

    const again = new TransactWriteItemsCommand(transfer.input);
    delete again.input.ClientRequestToken;
    const error = await client.send(again).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const cancelled = error as TransactionCanceledException;
    expect(cancelled.name).toBe('TransactionCanceledException');
    expect(cancelled.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    );
    expect(cancelled.CancellationReasons).toEqual([
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { id: S('sdk-a'), balance: N(0) },
      },
      { Code: 'None' },
    ]);
    expect(await balance('sdk-b')).toEqual(N(1));
  });

  it('honours ClientRequestToken: a replay is a no-op, another request with it is refused', async () => {
    const increment = (by: number) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: 'sdk-token',
        TransactItems: [
          {
            Update: {
              TableName: ACCOUNTS,
              Key: { id: S('sdk-c') },
              UpdateExpression: 'ADD balance :by',
              ExpressionAttributeValues: { ':by': N(by) },
            },
          },
        ],
      });
    await client.send(increment(1));
    await client.send(increment(1));
    expect(await balance('sdk-c')).toEqual(N(1));
    await expect(client.send(increment(2))).rejects.toMatchObject({
      name: 'IdempotentParameterMismatchException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await balance('sdk-c')).toEqual(N(1));
  });

  it('reads with TransactGetItems', async () => {
    await client.send(new PutItemCommand({ TableName: ACCOUNTS, Item: { id: S('sdk-d'), balance: N(7) } }));
    const { Responses } = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: ACCOUNTS, Key: { id: S('sdk-d') } } },
          { Get: { TableName: ACCOUNTS, Key: { id: S('sdk-none') } } },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { id: S('sdk-d'), balance: N(7) } }, {}]);
  });
});
