import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { mockedTables } from '../testing/fakes';

const { documents, connections: store } = mockedTables();
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'condition', $metadata: {} });

afterEach(() => documents.reset());

/**
 * The connection's record as DynamoDB keeps it, answering the two updates
 * spendFrame sends by their conditions. `before[n]` runs before the n-th
 * update (from 1) is applied: another frame's write landing first.
 */
const record = (
  initial: { tat?: number } | undefined,
  before: Record<number, (item: { tat?: number }) => void> = {},
) => {
  const item = initial;
  const writes: string[] = [];
  documents.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    if (item) before[writes.length + 1]?.(item);
    const values = input.ExpressionAttributeValues as Record<string, number>;
    const now = values[':now'] as number;
    if (input.UpdateExpression === 'SET #tat = #tat + :interval') {
      writes.push('in use');
      if (item?.tat === undefined || item.tat < now) throw conditionFailed();
      item.tat += values[':interval'] as number;
      return { Attributes: { frameTat: item.tat } };
    }
    writes.push('full');
    if (!item || (item.tat !== undefined && item.tat >= now)) throw conditionFailed();
    item.tat = values[':next'] as number;
    return {};
  });
  return { writes, item };
};

describe('the frame budget on the connection record', () => {
  it('moves a budget in use by one interval in one write, answering the new tat', async () => {
    const connection = record({ tat: 1_500 });

    expect(await store.spendFrame('c1', 1_000, 100)).toBe(1_600);

    expect(connection.writes).toEqual(['in use']);
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'connections',
      Key: { connectionId: 'c1' },
      ConditionExpression: '#tat >= :now',
      ExpressionAttributeNames: { '#tat': 'frameTat' },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('starts a full budget (quiet since, or the first frame) from now, never from the past', async () => {
    const quiet = record({ tat: 200 });
    expect(await store.spendFrame('c1', 1_000, 100)).toBe(1_100);
    expect(quiet.writes).toEqual(['in use', 'full']);
    expect(quiet.item?.tat).toBe(1_100);

    documents.reset();
    const first = record({});
    expect(await store.spendFrame('c1', 1_000, 100)).toBe(1_100);
    expect(first.writes).toEqual(['in use', 'full']);
  });

  it('counts a frame that raced another to the full budget after it (tat never goes back)', async () => {
    // Between this frame's two writes, another frame starts the budget from 1_000.
    const connection = record({ tat: 200 }, { 2: (item) => (item.tat = 1_100) });

    expect(await store.spendFrame('c1', 1_000, 100)).toBe(1_200);

    expect(connection.writes).toEqual(['in use', 'full', 'in use']);
  });

  it('answers undefined, creating nothing, for a connection without a record', async () => {
    const connection = record(undefined);

    expect(await store.spendFrame('gone', 1_000, 100)).toBeUndefined();

    expect(connection.writes).toEqual(['in use', 'full', 'in use']);
    expect(documents.commandCalls(UpdateCommand)[1]?.args[0].input.ConditionExpression).toBe(
      'attribute_exists(connectionId) AND (attribute_not_exists(#tat) OR #tat < :now)',
    );
  });

  it('retries a write that met a subscribe transaction on the record', async () => {
    documents
      .on(UpdateCommand)
      .rejectsOnce(new TransactionConflictException({ message: 'conflict', $metadata: {} }))
      .resolves({ Attributes: { frameTat: 1_600 } });

    expect(await store.spendFrame('c1', 1_000, 100)).toBe(1_600);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(2);
  });
});
