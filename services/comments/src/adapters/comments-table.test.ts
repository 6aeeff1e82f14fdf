import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommentRow } from '../domain/comment';
import { buildCommentsTable } from './comments-table';

const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TABLE = 'dev-comments';
const KNOWN_POSTS = 'dev-comments-posts';
const comments = buildCommentsTable({
  client,
  tableName: TABLE,
  knownPostsTableName: KNOWN_POSTS,
  sleep: async () => undefined,
});
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
/** A cancelled transaction with one reason code per item, in order. */
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const row = (seq: number, extra: Partial<CommentRow> = {}): CommentRow => ({
  postId: 'p1',
  seq,
  id: `c${seq}`,
  authorId: 'alice',
  body: `comment ${seq}`,
  createdAt: '2026-03-01T12:00:00.000Z',
  eventId: `e${seq}`,
  correlationId: 'corr',
  ...extra,
});

describe('buildCommentsTable', () => {
  afterEach(() => dynamo.reset());

  describe('insert', () => {
    it('inserts a comment only where its (postId, seq) is free', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      expect(await comments.insert(row(1, { publishState: 'pending' }))).toBe('inserted');

      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items?.[0]?.Put).toEqual({
        TableName: TABLE,
        Item: row(1, { publishState: 'pending' }),
        ConditionExpression: 'attribute_not_exists(seq)',
      });
    });

    it('checks in the same transaction that the post is known and not deleted', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      await comments.insert(row(1));

      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items).toHaveLength(2);
      expect(items?.[1]).toEqual({
        ConditionCheck: {
          TableName: KNOWN_POSTS,
          Key: { postId: 'p1' },
          ConditionExpression: 'attribute_exists(postId) AND attribute_not_exists(deletedAt)',
        },
      });
    });

    it('answers no-post when the post’s check is refused (deleted since its number was taken)', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));

      expect(await comments.insert(row(1))).toBe('no-post');
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(1);
    });

    it('fails when the seq is taken', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

      await expect(comments.insert(row(1))).rejects.toBeInstanceOf(TransactionCanceledException);
    });

    it('tries again after a conflict with another comment’s transaction on the same post', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'TransactionConflict'))
        .rejectsOnce(cancelled('None', 'TransactionConflict'))
        .resolves({});

      expect(await comments.insert(row(1))).toBe('inserted');
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
    });

    it('gives up after five conflicts', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));

      await expect(comments.insert(row(1))).rejects.toBeInstanceOf(TransactionCanceledException);
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(5);
    });
  });

  describe('list', () => {
    it('queries the post oldest first after afterSeq, leaving tombstones out', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [row(4), row(5)] });

      const page = await comments.list('p1', { afterSeq: 3, limit: 20 });

      expect(page).toEqual({ rows: [row(4), row(5)] });
      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: 'postId = :postId AND seq > :after',
        FilterExpression: 'attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':postId': 'p1', ':after': 3 },
        ScanIndexForward: true,
        Limit: 20,
      });
    });

    it('fills the page past filtered tombstones and says where the next page starts', async () => {
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [row(1)], LastEvaluatedKey: { postId: 'p1', seq: 2 } })
        .resolvesOnce({ Items: [row(3)], LastEvaluatedKey: { postId: 'p1', seq: 3 } });

      const page = await comments.list('p1', { afterSeq: 0, limit: 2 });

      expect(page).toEqual({ rows: [row(1), row(3)], lastSeq: 3 });
      const calls = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
      // Past tombstones it reads at least 100 at a time, so a run of them does not make empty pages.
      expect(calls.map((c) => [c.ExpressionAttributeValues?.[':after'], c.Limit])).toEqual([
        [0, 2],
        [2, 100],
      ]);
    });

    it('ends the page at the last comment it holds when a read past tombstones returns more', async () => {
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [row(1)], LastEvaluatedKey: { postId: 'p1', seq: 2 } })
        .resolvesOnce({ Items: [row(5), row(6), row(7)], LastEvaluatedKey: { postId: 'p1', seq: 102 } });

      const page = await comments.list('p1', { afterSeq: 0, limit: 2 });

      expect(page).toEqual({ rows: [row(1), row(5)], lastSeq: 5 });
    });

    it('stops after five reads with a cursor, even with no comment found', async () => {
      dynamo.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':after': number } }) => ({
        Items: [],
        LastEvaluatedKey: { postId: 'p1', seq: input.ExpressionAttributeValues[':after'] + 100 },
      }));

      const page = await comments.list('p1', { afterSeq: 0, limit: 20 });

      expect(page).toEqual({ rows: [], lastSeq: 500 });
      expect(dynamo.commandCalls(QueryCommand)).toHaveLength(5);
    });
  });

  describe('findById', () => {
    it('finds the key in the byId index, then reads the row consistently', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [{ id: 'c2', postId: 'p1', seq: 2 }] });
      dynamo.on(GetCommand).resolves({ Item: row(2) });

      expect(await comments.findById('c2')).toEqual(row(2));
      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
        IndexName: 'byId',
        KeyConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': 'c2' },
      });
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { postId: 'p1', seq: 2 },
        ConsistentRead: true,
      });
    });

    it('returns undefined for an unknown id without reading the table', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [] });

      expect(await comments.findById('nope')).toBeUndefined();
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    });
  });

  describe('markDeleted', () => {
    const deletion = {
      deletedAt: '2026-03-01T13:00:00.000Z',
      deleteEventId: 'd1',
      deleteCorrelationId: 'corr-d',
    };

    it('turns a live row into a tombstone in the outbox and returns it', async () => {
      dynamo.on(UpdateCommand).resolves({ Attributes: row(2, { ...deletion, outboxShard: 'pending-2' }) });

      const tombstone = await comments.markDeleted(row(2), deletion);

      expect(tombstone?.deleteEventId).toBe('d1');
      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual({ postId: 'p1', seq: 2 });
      expect(input?.ConditionExpression).toBe('attribute_exists(seq) AND attribute_not_exists(deletedAt)');
      expect(input?.ExpressionAttributeValues).toEqual({
        ':deletedAt': deletion.deletedAt,
        ':deleteEventId': 'd1',
        ':correlationId': 'corr-d',
        ':shard': 'pending-2',
      });
      expect(input?.ReturnValues).toBe('ALL_NEW');
    });

    it('returns undefined when the comment was deleted meanwhile', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      expect(await comments.markDeleted(row(2), deletion)).toBeUndefined();
    });
  });

  describe('settleCreated', () => {
    it('takes a live row out of the outbox', async () => {
      dynamo.on(UpdateCommand).resolves({});

      await comments.settleCreated(row(1, { publishState: 'pending' }));

      const calls = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        UpdateExpression: 'REMOVE publishState, outboxShard, pendingSince',
        ConditionExpression: 'eventId = :eventId AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':eventId': 'e1' },
      });
    });

    it('leaves a row deleted meanwhile in the outbox for its CommentDeleted', async () => {
      dynamo.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});

      await comments.settleCreated(row(1, { publishState: 'pending' }));

      const calls = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(calls.map((c) => c.UpdateExpression)).toEqual([
        'REMOVE publishState, outboxShard, pendingSince',
        'REMOVE publishState',
      ]);
    });

    it('does nothing to a row that is gone', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      await expect(comments.settleCreated(row(1, { publishState: 'pending' }))).resolves.toBeUndefined();
    });
  });

  describe('settleDeleted', () => {
    it('strips the body and the outbox attributes and sets the TTL, for the deletion announced only', async () => {
      dynamo.on(UpdateCommand).resolves({});

      await comments.settleDeleted(row(1, { deleteEventId: 'd1' }), 1_773_000_000);

      expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { postId: 'p1', seq: 1 },
        UpdateExpression: 'SET expiresAt = :expiresAt REMOVE body, publishState, outboxShard, pendingSince',
        ConditionExpression: 'deleteEventId = :deleteEventId',
        ExpressionAttributeValues: { ':deleteEventId': 'd1', ':expiresAt': 1_773_000_000 },
      });
    });

    it('leaves a row that is gone (its post was deleted) or settled by another deletion alone', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      await expect(comments.settleDeleted(row(1, { deleteEventId: 'd1' }), 1)).resolves.toBeUndefined();
    });
  });

  describe('listDeleted', () => {
    const tombstone = (seq: number, deletedAt: string) => ({
      postId: 'p1',
      seq,
      deletedAt,
      id: `c${seq}`,
      authorId: 'alice',
    });

    it('queries the sparse deletedByPost index after since, oldest deletion first', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [tombstone(3, '2026-03-01T12:00:01.000Z')] });

      const page = await comments.listDeleted('p1', { since: '2026-03-01T12:00:00.000Z', limit: 50 });

      expect(page).toEqual({
        deletions: [
          { id: 'c3', postId: 'p1', authorId: 'alice', seq: 3, deletedAt: '2026-03-01T12:00:01.000Z' },
        ],
      });
      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        IndexName: 'deletedByPost',
        KeyConditionExpression: 'postId = :postId AND deletedAt > :since',
        ExpressionAttributeValues: { ':postId': 'p1', ':since': '2026-03-01T12:00:00.000Z' },
        ScanIndexForward: true,
        Limit: 50,
      });
    });

    it('starts after the given position and says where the next page starts', async () => {
      dynamo.on(QueryCommand).resolves({
        Items: [tombstone(7, '2026-03-01T12:00:05.000Z')],
        LastEvaluatedKey: { postId: 'p1', deletedAt: '2026-03-01T12:00:05.000Z', seq: 7 },
      });

      const page = await comments.listDeleted('p1', {
        since: '2026-03-01T12:00:00.000Z',
        after: { deletedAt: '2026-03-01T12:00:02.000Z', seq: 4 },
        limit: 1,
      });

      expect(page.last).toEqual({ deletedAt: '2026-03-01T12:00:05.000Z', seq: 7 });
      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual({
        postId: 'p1',
        deletedAt: '2026-03-01T12:00:02.000Z',
        seq: 4,
      });
    });

    it('returns only what CommentDeleted carries, whatever else the item holds', async () => {
      dynamo.on(QueryCommand).resolves({
        Items: [{ ...tombstone(2, '2026-03-01T12:00:01.000Z'), body: 'secret', eventId: 'e2' }],
      });

      const { deletions } = await comments.listDeleted('p1', { since: '2026-03-01T00:00:00.000Z', limit: 5 });

      expect(Object.keys(deletions[0] ?? {}).sort()).toEqual([
        'authorId',
        'deletedAt',
        'id',
        'postId',
        'seq',
      ]);
    });
  });

  describe('pendingSince', () => {
    it('reads every outbox shard of the sparse index, up to the limit', async () => {
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [row(4)], LastEvaluatedKey: { outboxShard: 'pending-0' } })
        .resolvesOnce({ Items: [row(8)] })
        .resolvesOnce({ Items: [row(1)] })
        .resolves({ Items: [] });

      const rows = await comments.pendingSince('2026-03-01T12:00:00.000Z', 3);

      expect(rows.map((r) => r.seq)).toEqual([4, 8, 1]);
      const calls = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(calls).toHaveLength(3);
      expect(calls[0]).toMatchObject({
        IndexName: 'unpublished',
        KeyConditionExpression: 'outboxShard = :shard AND pendingSince < :before',
        ExpressionAttributeValues: { ':shard': 'pending-0', ':before': '2026-03-01T12:00:00.000Z' },
        Limit: 3,
      });
      expect(calls[1]?.ExclusiveStartKey).toEqual({ outboxShard: 'pending-0' });
      expect(calls[2]?.ExpressionAttributeValues?.[':shard']).toBe('pending-1');
    });
  });

  describe('removeAllOf', () => {
    it('deletes a post’s comments page by page in batches of 25, retrying unprocessed ones', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => ({ postId: 'p1', seq: i + 1 }));
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: keys.slice(0, 27), LastEvaluatedKey: { postId: 'p1', seq: 27 } })
        .resolvesOnce({ Items: keys.slice(27) });
      dynamo
        .on(BatchWriteCommand)
        .resolvesOnce({
          UnprocessedItems: { [TABLE]: [{ DeleteRequest: { Key: { postId: 'p1', seq: 25 } } }] },
        })
        .resolves({});

      expect(await comments.removeAllOf('p1')).toBe(30);

      const queries = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(queries[0]).toMatchObject({ KeyConditionExpression: 'postId = :postId', ConsistentRead: true });
      expect(queries[1]?.ExclusiveStartKey).toEqual({ postId: 'p1', seq: 27 });
      const batches = dynamo
        .commandCalls(BatchWriteCommand)
        .map((c) => c.args[0].input.RequestItems?.[TABLE]);
      expect(batches.map((b) => b?.length)).toEqual([25, 1, 2, 3]);
    });

    it('fails when deletions stay unprocessed, so the event is retried', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [{ postId: 'p1', seq: 1 }] });
      dynamo.on(BatchWriteCommand).resolves({
        UnprocessedItems: { [TABLE]: [{ DeleteRequest: { Key: { postId: 'p1', seq: 1 } } }] },
      });

      await expect(comments.removeAllOf('p1')).rejects.toThrow(/unprocessed/);
    });
  });
});
