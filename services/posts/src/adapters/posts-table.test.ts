import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodeCursor, InvalidCursorError } from '@live-comments/shared';
import { describe, expect, it } from 'vitest';
import { conditionFailed, mockedDocumentClient } from '../testing/dynamodb';
import { buildPostsTable, LIST_INDEX, PENDING_INDEX } from './posts-table';

const { dynamo, client } = mockedDocumentClient();

const table = () => buildPostsTable({ client, tableName: 'test-posts', sleep: async () => {} });

const row = (overrides: Record<string, unknown> = {}) => ({
  id: 'p1',
  listKey: 'post',
  authorId: 'alice',
  title: 'T',
  body: 'B',
  createdAt: '2026-01-01T10:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  commentCount: 0,
  favoriteCount: 0,
  ...overrides,
});

const event = { eventId: 'e2', occurredAt: '2026-01-01T11:00:00.000Z', correlationId: 'corr' };

describe('buildPostsTable', () => {
  describe('create', () => {
    it('puts the post in the list and in the outbox, only if the id is new', async () => {
      dynamo.on(PutCommand).resolves({});
      const { listKey: _, ...post } = row();
      await table().create({
        post,
        pending: { eventId: 'e1', type: 'PostCreated', occurredAt: post.createdAt, correlationId: 'corr' },
      });
      const input = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe('attribute_not_exists(#id)');
      expect(input?.Item).toEqual({
        ...row(),
        outboxState: 'pending',
        outboxAt: post.createdAt,
        outboxEventId: 'e1',
        outboxEventType: 'PostCreated',
        outboxCorrelationId: 'corr',
      });
    });
  });

  describe('get', () => {
    it('reads strongly consistent and hides the outbox', async () => {
      dynamo.on(GetCommand).resolves({ Item: row({ outboxState: 'pending', outboxEventId: 'e1' }) });
      const { listKey: _, ...post } = row();
      expect(await table().get('p1')).toEqual(post);
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
        Key: { id: 'p1' },
        ConsistentRead: true,
      });
    });

    it('treats a tombstone as missing', async () => {
      dynamo.on(GetCommand).resolves({ Item: row({ deletedAt: '2026-01-02T00:00:00.000Z' }) });
      expect(await table().get('p1')).toBeUndefined();
    });
  });

  describe('update', () => {
    it('checks the author in the write itself and keeps an unannounced PostCreated', async () => {
      dynamo.on(UpdateCommand).resolves({
        Attributes: row({
          title: 'T2',
          updatedAt: event.occurredAt,
          outboxState: 'pending',
          outboxAt: event.occurredAt,
          outboxEventId: 'e2',
          outboxEventType: 'PostCreated',
          outboxCorrelationId: 'corr',
        }),
      });
      const result = await table().update({
        postId: 'p1',
        authorId: 'alice',
        changes: { title: 'T2' },
        event,
      });

      expect(result).toMatchObject({
        outcome: 'written',
        stored: { post: { title: 'T2' }, pending: { eventId: 'e2', type: 'PostCreated' } },
      });
      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe(
        'attribute_exists(#id) AND attribute_not_exists(#deletedAt) AND #authorId = :me',
      );
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':me': 'alice', ':title': 'T2' });
      expect(input?.UpdateExpression).toContain(
        '#outboxEventType = if_not_exists(#outboxEventType, :updated)',
      );
      // Only the changed field is named: DynamoDB rejects unused names.
      expect(input?.ExpressionAttributeNames).not.toHaveProperty('#body');
      expect(input?.ReturnValues).toBe('ALL_NEW');
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    });

    it('tells forbidden from not found with one read after a refused write', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());
      dynamo
        .on(GetCommand)
        .resolvesOnce({ Item: row() })
        .resolvesOnce({})
        .resolvesOnce({
          Item: row({ deletedAt: '2026-01-02T00:00:00.000Z' }),
        });
      const posts = table();
      const attempt = () =>
        posts.update({ postId: 'p1', authorId: 'mallory', changes: { body: 'X' }, event });

      expect(await attempt()).toEqual({ outcome: 'forbidden' });
      expect(await attempt()).toEqual({ outcome: 'not_found' });
      expect(await attempt()).toEqual({ outcome: 'not_found' });
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    });

    it('lets other errors through', async () => {
      dynamo.on(UpdateCommand).rejects(new Error('throttled'));
      await expect(
        table().update({ postId: 'p1', authorId: 'alice', changes: { body: 'X' }, event }),
      ).rejects.toThrow('throttled');
    });
  });

  describe('markDeleted', () => {
    it('turns the post into a tombstone out of the list, with PostDeleted pending', async () => {
      dynamo.on(UpdateCommand).resolves({
        Attributes: row({
          listKey: undefined,
          deletedAt: event.occurredAt,
          outboxState: 'pending',
          outboxAt: event.occurredAt,
          outboxEventId: 'e2',
          outboxEventType: 'PostDeleted',
          outboxCorrelationId: 'corr',
        }),
      });
      const result = await table().markDeleted({ postId: 'p1', authorId: 'alice', event });
      expect(result).toMatchObject({
        outcome: 'written',
        stored: { deletedAt: event.occurredAt, pending: { type: 'PostDeleted', eventId: 'e2' } },
      });
      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toMatch(/REMOVE #listKey$/);
      expect(input?.ConditionExpression).toContain('#authorId = :me');
    });
  });

  describe('settle', () => {
    it('empties the slot only if it still holds the published event', async () => {
      dynamo.on(UpdateCommand).resolves({});
      await table().settle('p1', { ...event, type: 'PostUpdated' });
      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe('#outboxEventId = :eventId');
      expect(input?.ExpressionAttributeValues).toEqual({ ':eventId': 'e2' });
      expect(input?.UpdateExpression).toMatch(/^REMOVE #outboxState, /);
    });

    it('deletes the tombstone once PostDeleted is out, and ignores a slot taken by a newer write', async () => {
      dynamo.on(DeleteCommand).rejects(conditionFailed());
      await expect(table().settle('p1', { ...event, type: 'PostDeleted' })).resolves.toBeUndefined();
      expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.ConditionExpression).toBe(
        '#outboxEventId = :eventId',
      );
    });
  });

  describe('list', () => {
    it('queries the list index newest first and round-trips its cursor', async () => {
      const lastKey = { id: 'p2', listKey: 'post', createdAt: '2026-01-01T09:00:00.000Z' };
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [row()], LastEvaluatedKey: lastKey })
        .resolvesOnce({ Items: [] });
      const posts = table();

      const first = await posts.list({ limit: 1 });
      expect(first.items.map((p) => p.id)).toEqual(['p1']);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await posts.list({ limit: 1, cursor: first.nextCursor ?? undefined });
      expect(second).toEqual({ items: [], nextCursor: null });

      const [firstCall, secondCall] = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(firstCall).toMatchObject({ IndexName: LIST_INDEX, ScanIndexForward: false, Limit: 1 });
      expect(firstCall?.ExclusiveStartKey).toBeUndefined();
      expect(secondCall?.ExclusiveStartKey).toEqual(lastKey);
    });

    it('refuses a tampered or foreign cursor before querying', async () => {
      const posts = table();
      const foreign = encodeCursor('favorites:bob', {
        id: 'p2',
        listKey: 'post',
        createdAt: '2026-01-01T09:00:00.000Z',
      });
      const extraField = encodeCursor('posts', {
        id: 'p2',
        listKey: 'post',
        createdAt: '2026-01-01T09:00:00.000Z',
        authorId: 'x',
      });
      const otherPartition = encodeCursor('posts', {
        id: 'p2',
        listKey: 'user#bob',
        createdAt: '2026-01-01T09:00:00.000Z',
      });
      for (const cursor of [foreign, extraField, otherPartition, 'not a cursor', `${foreign}x`]) {
        await expect(posts.list({ limit: 5, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      }
      expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });

  describe('getMany', () => {
    it('batch-reads, retries unprocessed keys and drops tombstones', async () => {
      dynamo
        .on(BatchGetCommand)
        .resolvesOnce({
          Responses: { 'test-posts': [row(), row({ id: 'p3', deletedAt: '2026-01-02T00:00:00.000Z' })] },
          UnprocessedKeys: { 'test-posts': { Keys: [{ id: 'p2' }] } },
        })
        .resolvesOnce({ Responses: { 'test-posts': [row({ id: 'p2' })] } });

      const posts = await table().getMany(['p1', 'p2', 'p3', 'p1']);
      expect(posts.map((p) => p.id).sort()).toEqual(['p1', 'p2']);
      const calls = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems);
      expect(calls[0]?.['test-posts']?.Keys).toEqual([{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }]);
      expect(calls[1]?.['test-posts']?.Keys).toEqual([{ id: 'p2' }]);
    });
  });

  describe('pending', () => {
    it('queries the sparse outbox index, oldest first, through every page', async () => {
      dynamo
        .on(QueryCommand)
        .resolvesOnce({
          Items: [
            row({
              outboxState: 'pending',
              outboxAt: '2026-01-01T10:00:00.000Z',
              outboxEventId: 'e1',
              outboxEventType: 'PostCreated',
              outboxCorrelationId: 'corr',
            }),
          ],
          LastEvaluatedKey: { id: 'p1' },
        })
        .resolvesOnce({ Items: [] });
      const found = [];
      for await (const stored of table().pending('2026-01-01T12:00:00.000Z')) found.push(stored);

      expect(found).toEqual([
        expect.objectContaining({
          pending: {
            eventId: 'e1',
            type: 'PostCreated',
            occurredAt: '2026-01-01T10:00:00.000Z',
            correlationId: 'corr',
          },
        }),
      ]);
      const calls = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
      expect(calls).toHaveLength(2);
      expect(calls[0]).toMatchObject({
        IndexName: PENDING_INDEX,
        ScanIndexForward: true,
        ExpressionAttributeValues: { ':pending': 'pending', ':dueBefore': '2026-01-01T12:00:00.000Z' },
      });
      expect(calls[1]?.ExclusiveStartKey).toEqual({ id: 'p1' });
    });
  });

  describe('adjustCounter', () => {
    it('adds to a live post only, and floors decrements at zero', async () => {
      dynamo.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
      const posts = table();
      expect(await posts.adjustCounter('p1', 'commentCount', 1)).toBe(true);
      expect(await posts.adjustCounter('p1', 'commentCount', -1)).toBe(false);

      const [up, down] = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(up).toMatchObject({
        UpdateExpression: 'ADD #counter :delta',
        ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#deletedAt)',
        ExpressionAttributeNames: { '#counter': 'commentCount' },
        ExpressionAttributeValues: { ':delta': 1 },
      });
      expect(down?.ConditionExpression).toContain('#counter >= :needed');
      expect(down?.ExpressionAttributeValues).toEqual({ ':delta': -1, ':needed': 1 });
    });
  });
});
