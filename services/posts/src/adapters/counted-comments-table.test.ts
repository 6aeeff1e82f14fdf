import { type CancellationReason, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { mockedDocumentClient } from '../testing/dynamodb';
import { buildCountedCommentsTable, type CountedCommentsTableOptions } from './counted-comments-table';

const { dynamo, client } = mockedDocumentClient();

const table = (options: Partial<CountedCommentsTableOptions> = {}) =>
  buildCountedCommentsTable({
    client,
    tableName: 'test-counted',
    postsTableName: 'test-posts',
    sleep: async () => {},
    ...options,
  });

const comment = { postId: 'p1', commentId: 'c1', eventId: 'e1' };

/** A reason of a cancelled transaction; `state` is the marker's as ALL_OLD returns it (wire format). */
const reason = (Code: string, state?: string): CancellationReason => ({
  Code,
  ...(state ? { Item: { postId: { S: 'p1' }, commentId: { S: 'c1' }, state: { S: state } } } : {}),
});

/** The SDK's error for a cancelled transaction, one reason per item. */
const cancelled = (...reasons: CancellationReason[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
    $metadata: {},
  });

const transactions = () =>
  dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems);

const CCF = 'ConditionalCheckFailed';

/** The Put of a marker where there is none, returning the one there when refused. */
const newMarker = (state: string, eventId: string) => ({
  Put: {
    TableName: 'test-counted',
    Item: { postId: 'p1', commentId: 'c1', state, eventId },
    ConditionExpression: 'attribute_not_exists(#commentId)',
    ExpressionAttributeNames: { '#commentId': 'commentId' },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

describe('buildCountedCommentsTable', () => {
  describe('count (CommentCreated)', () => {
    it('writes a counted marker where there is none and adds 1 to the live post, in one transaction', async () => {
      dynamo.on(TransactWriteCommand).resolves({});
      expect(await table().count(comment)).toBe('counted');
      expect(transactions()).toEqual([
        [
          newMarker('counted', 'e1'),
          {
            Update: {
              TableName: 'test-posts',
              Key: { id: 'p1' },
              UpdateExpression: 'ADD #counter :delta',
              ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#deletedAt)',
              ExpressionAttributeNames: {
                '#id': 'id',
                '#deletedAt': 'deletedAt',
                '#counter': 'commentCount',
              },
              ExpressionAttributeValues: { ':delta': 1 },
            },
          },
        ],
      ]);
    });

    it('counts nothing when the marker is there (counted, or deleted first) or the post is gone', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason(CCF, 'counted'), reason('None')))
        .rejectsOnce(cancelled(reason(CCF, 'deleted'), reason('None')))
        .rejectsOnce(cancelled(reason('None'), reason(CCF)))
        .rejectsOnce(cancelled(reason(CCF, 'counted'), reason(CCF)));
      const markers = table();
      expect(await markers.count(comment)).toBe('already-counted');
      expect(await markers.count(comment)).toBe('already-deleted');
      expect(await markers.count(comment)).toBe('no-post');
      expect(await markers.count(comment)).toBe('no-post');
      expect(transactions()).toHaveLength(4);
    });
  });

  describe('uncount (CommentDeleted)', () => {
    it('moves a counted marker to deleted and subtracts 1, in one transaction', async () => {
      dynamo.on(TransactWriteCommand).resolves({});
      expect(await table().uncount({ ...comment, eventId: 'e2' })).toBe('uncounted');
      expect(transactions()).toEqual([
        [
          {
            Update: {
              TableName: 'test-counted',
              Key: { postId: 'p1', commentId: 'c1' },
              UpdateExpression: 'SET #state = :deleted, #eventId = :eventId',
              ConditionExpression: '#state = :counted',
              ExpressionAttributeNames: { '#state': 'state', '#eventId': 'eventId' },
              ExpressionAttributeValues: { ':deleted': 'deleted', ':counted': 'counted', ':eventId': 'e2' },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          {
            Update: expect.objectContaining({
              TableName: 'test-posts',
              Key: { id: 'p1' },
              ConditionExpression:
                'attribute_exists(#id) AND attribute_not_exists(#deletedAt) AND #counter >= :needed',
              ExpressionAttributeValues: { ':delta': -1, ':needed': 1 },
            }),
          },
        ],
      ]);
    });

    it('leaves a tombstone, checking the post is live and not touching its count, when the comment was never counted', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason(CCF), reason('None')))
        .resolvesOnce({});
      expect(await table().uncount({ ...comment, eventId: 'e2' })).toBe('deleted-before-counted');
      expect(transactions()[1]).toEqual([
        newMarker('deleted', 'e2'),
        {
          ConditionCheck: {
            TableName: 'test-posts',
            Key: { id: 'p1' },
            ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#deletedAt)',
            ExpressionAttributeNames: { '#id': 'id', '#deletedAt': 'deletedAt' },
          },
        },
      ]);
    });

    it('does nothing more for a marker already deleted', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled(reason(CCF, 'deleted'), reason('None')));
      expect(await table().uncount(comment)).toBe('already-deleted');
      expect(transactions()).toHaveLength(1);

      dynamo.reset();
      // Deleted by a delivery between the two transactions.
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason(CCF), reason('None')))
        .rejectsOnce(cancelled(reason(CCF, 'deleted'), reason('None')));
      expect(await table().uncount(comment)).toBe('already-deleted');
      expect(transactions()).toHaveLength(2);
    });

    it('writes nothing for a post that is gone', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason('None'), reason(CCF)))
        .rejectsOnce(cancelled(reason(CCF), reason(CCF)))
        .rejectsOnce(cancelled(reason('None'), reason(CCF)));
      const markers = table();
      // Counted, but the post is gone.
      expect(await markers.uncount(comment)).toBe('no-post');
      // Never counted, and the post is gone: no tombstone either.
      expect(await markers.uncount(comment)).toBe('no-post');
      expect(transactions()).toHaveLength(3);
    });

    it('uncounts a comment counted between its two transactions', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason(CCF), reason('None')))
        .rejectsOnce(cancelled(reason(CCF, 'counted'), reason('None')))
        .resolvesOnce({});
      expect(await table().uncount(comment)).toBe('uncounted');
      const kinds = transactions().map((items) => items?.map((item) => Object.keys(item)[0]));
      expect(kinds).toEqual([
        ['Update', 'Update'],
        ['Put', 'ConditionCheck'],
        ['Update', 'Update'],
      ]);
    });
  });

  describe('cancellations', () => {
    it('retries a TransactionConflict with jittered waits, then gives up', async () => {
      const waits: number[] = [];
      const markers = table({ sleep: async (ms) => void waits.push(ms), maxAttempts: 3 });
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled(reason('None'), reason('TransactionConflict')))
        .rejectsOnce(cancelled(reason('TransactionConflict'), reason('None')))
        .resolvesOnce({});
      expect(await markers.count(comment)).toBe('counted');
      expect(waits).toHaveLength(2);
      expect(waits[0]).toBeLessThan(50);
      expect(waits[1]).toBeLessThan(100);

      dynamo.reset();
      dynamo.on(TransactWriteCommand).rejects(cancelled(reason('None'), reason('TransactionConflict')));
      await expect(markers.uncount(comment)).rejects.toBeInstanceOf(TransactionCanceledException);
      expect(transactions()).toHaveLength(3);
    });

    it('throws any other cancellation reason, even beside a refused condition, so the message is retried', async () => {
      for (const reasons of [
        [reason('None'), reason('ThrottlingError')],
        [reason(CCF, 'counted'), reason('ThrottlingError')],
        [reason('ValidationError'), reason('None')],
        [reason('None'), reason('None')],
      ]) {
        dynamo.reset();
        dynamo.on(TransactWriteCommand).rejects(cancelled(...reasons));
        await expect(table().count(comment)).rejects.toBeInstanceOf(TransactionCanceledException);
        await expect(table().uncount(comment)).rejects.toBeInstanceOf(TransactionCanceledException);
      }
    });

    it('lets other errors through', async () => {
      dynamo.on(TransactWriteCommand).rejects(new Error('network down'));
      await expect(table().count(comment)).rejects.toThrow('network down');
    });
  });

  describe('forget (a deleted post)', () => {
    it('removes up to max markers of the post, read strongly consistent, and says whether any is left', async () => {
      dynamo
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ commentId: 'c1' }, { commentId: 'c2' }],
          LastEvaluatedKey: { postId: 'p1', commentId: 'c2' },
        })
        .resolvesOnce({ Items: [{ commentId: 'c3' }] })
        .resolvesOnce({ Items: [] });
      dynamo.on(BatchWriteCommand).resolves({});
      const markers = table();
      expect(await markers.forget('p1', 2)).toBe(false);
      expect(await markers.forget('p1', 2)).toBe(true);
      expect(await markers.forget('p1', 2)).toBe(true);

      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
        TableName: 'test-counted',
        KeyConditionExpression: '#postId = :postId',
        ProjectionExpression: '#commentId',
        ExpressionAttributeNames: { '#postId': 'postId', '#commentId': 'commentId' },
        ExpressionAttributeValues: { ':postId': 'p1' },
        ConsistentRead: true,
        Limit: 2,
      });
      const deleted = dynamo
        .commandCalls(BatchWriteCommand)
        .flatMap((call) => call.args[0].input.RequestItems?.['test-counted'] ?? []);
      expect(deleted).toEqual(
        ['c1', 'c2', 'c3'].map((commentId) => ({ DeleteRequest: { Key: { postId: 'p1', commentId } } })),
      );
      // Nothing found: no BatchWriteItem call.
      expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(2);
    });
  });
});
