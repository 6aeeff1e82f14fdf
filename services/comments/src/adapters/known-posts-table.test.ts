import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { knownPost } from '../testing/fakes';
import { buildKnownPostsTable } from './known-posts-table';

const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const posts = buildKnownPostsTable({ client, tableName: 'dev-comments-posts', sleep: async () => undefined });
const conflict = () => new TransactionConflictException({ message: 'Transaction is ongoing', $metadata: {} });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

describe('buildKnownPostsTable', () => {
  afterEach(() => dynamo.reset());

  describe('takeNextSeq', () => {
    it('adds one to the post’s counter, only for a known live post, and returns the new value', async () => {
      dynamo.on(UpdateCommand).resolves({ Attributes: { nextSeq: 7 } });

      expect(await posts.takeNextSeq('p1')).toBe(7);
      expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: 'dev-comments-posts',
        Key: { postId: 'p1' },
        UpdateExpression: 'ADD nextSeq :one',
        ConditionExpression: 'attribute_exists(postId) AND attribute_not_exists(deletedAt)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      });
    });

    it('returns undefined when the post is unknown or deleted', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      expect(await posts.takeNextSeq('p1')).toBeUndefined();
    });

    it('lets other failures through', async () => {
      dynamo.on(UpdateCommand).rejects(new Error('throttled'));

      await expect(posts.takeNextSeq('p1')).rejects.toThrow('throttled');
    });

    it('tries again when another comment’s transaction is checking the row', async () => {
      dynamo
        .on(UpdateCommand)
        .rejectsOnce(conflict())
        .resolves({ Attributes: { nextSeq: 3 } });

      expect(await posts.takeNextSeq('p1')).toBe(3);
      expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
    });

    it('gives up after five conflicts', async () => {
      dynamo.on(UpdateCommand).rejects(conflict());

      await expect(posts.takeNextSeq('p1')).rejects.toBeInstanceOf(TransactionConflictException);
      expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(5);
    });
  });

  describe('isDeleted', () => {
    it('reads only the deletion time of the post’s row', async () => {
      dynamo.on(GetCommand).resolves({ Item: { deletedAt: '2026-03-02T00:00:00.000Z' } });

      expect(await posts.isDeleted('p1')).toBe(true);
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: 'dev-comments-posts',
        Key: { postId: 'p1' },
        ProjectionExpression: 'deletedAt',
      });
    });

    it('says no for a live or an unknown post', async () => {
      dynamo.on(GetCommand).resolvesOnce({ Item: {} }).resolvesOnce({});

      expect(await posts.isDeleted('p1')).toBe(false);
      expect(await posts.isDeleted('p2')).toBe(false);
    });
  });

  describe('recordPost', () => {
    const post = knownPost('p1', '2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z');

    it('upserts the post unless it is deleted or the stored version is newer', async () => {
      dynamo.on(UpdateCommand).resolves({});

      await posts.recordPost(post);

      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual({ postId: 'p1' });
      expect(input?.UpdateExpression).toBe(
        'SET authorId = :authorId, createdAt = :createdAt, updatedAt = :updatedAt',
      );
      expect(input?.ConditionExpression).toBe(
        'attribute_not_exists(deletedAt) AND (attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt)',
      );
      expect(input?.ExpressionAttributeValues).toEqual({
        ':authorId': 'bob',
        ':createdAt': '2026-03-01T00:00:00.000Z',
        ':updatedAt': '2026-03-01T01:00:00.000Z',
      });
    });

    it('treats a failed condition as nothing to do', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      await expect(posts.recordPost(post)).resolves.toBeUndefined();
    });

    it('lets other failures through', async () => {
      dynamo.on(UpdateCommand).rejects(new Error('boom'));

      await expect(posts.recordPost(post)).rejects.toThrow('boom');
    });
  });

  describe('recordPostIfUnknown', () => {
    const post = knownPost('p1');

    it('puts the post only where no row exists, so the events’ writes (a deletion above all) win', async () => {
      dynamo.on(PutCommand).resolves({});

      await posts.recordPostIfUnknown(post);

      expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: 'dev-comments-posts',
        Item: { postId: 'p1', authorId: 'bob', createdAt: post.createdAt, updatedAt: post.updatedAt },
        ConditionExpression: 'attribute_not_exists(postId)',
      });
      expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    });

    it('treats a row already there as nothing to do', async () => {
      dynamo.on(PutCommand).rejects(conditionFailed());

      await expect(posts.recordPostIfUnknown(post)).resolves.toBeUndefined();
    });

    it('lets other failures through', async () => {
      dynamo.on(PutCommand).rejects(new Error('boom'));

      await expect(posts.recordPostIfUnknown(post)).rejects.toThrow('boom');
    });
  });

  describe('markPostDeleted', () => {
    it('keeps the first deletion time and never removes the row', async () => {
      dynamo.on(UpdateCommand).resolves({});

      await posts.markPostDeleted({ id: 'p1', authorId: 'bob', deletedAt: '2026-03-02T00:00:00.000Z' });

      const input = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET deletedAt = if_not_exists(deletedAt, :deletedAt), authorId = if_not_exists(authorId, :authorId)',
      );
      expect(input?.ConditionExpression).toBeUndefined();
    });
  });
});
