import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { lambdaContext, sqsEvent } from '@live-comments/shared/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { commentEventMessage, withPost } from '../testing/setup';
import { buildCountCommentsHandler } from './count-comments';

// The idempotency store (Powertools, on the shared DynamoDB client) is the AWS edge of this consumer.
const idempotencyStore = mockClient(DynamoDBClient);
afterEach(() => idempotencyStore.reset());

const seed = async () => {
  const { fake, post } = await withPost();
  const handler = buildCountCommentsHandler(fake.deps);
  const deliver = (...bodies: string[]) => handler(sqsEvent(bodies), lambdaContext());
  return { fake, post, deliver };
};

/** The set-up with an idempotency store that has handled none of the event ids. */
const accepting = () => {
  idempotencyStore.on(PutItemCommand).resolves({});
  idempotencyStore.on(UpdateItemCommand).resolves({});
  return seed();
};

describe('countComments', () => {
  it('counts each comment event and reports no failures', async () => {
    const { fake, post, deliver } = await accepting();

    const result = await deliver(
      commentEventMessage('CommentCreated', post.id, 'e1', 'c1'),
      commentEventMessage('CommentCreated', post.id, 'e2', 'c2'),
      commentEventMessage('CommentDeleted', post.id, 'e3', 'c1'),
      commentEventMessage('CommentCreated', 'deleted-post', 'e4', 'c3'),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fake.posts.rows.get(post.id)?.post.commentCount).toBe(1);
    const keys = idempotencyStore.commandCalls(PutItemCommand).map((c) => c.args[0].input.TableName);
    expect(keys).toEqual(Array(4).fill('test-posts-idempotency'));
  });

  it('reports only the records it cannot handle', async () => {
    const { fake, post, deliver } = await accepting();

    const result = await deliver(
      commentEventMessage('CommentCreated', post.id, 'e1'),
      'not json',
      JSON.stringify({ hello: 1 }),
    );

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: 'message-2' }, { itemIdentifier: 'message-3' }],
    });
    expect(fake.posts.rows.get(post.id)?.post.commentCount).toBe(1);
  });

  it('skips an event id already handled', async () => {
    idempotencyStore.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: {
          id: { S: 'already-handled' },
          status: { S: 'COMPLETED' },
          expiration: { N: String(Math.floor(Date.now() / 1000) + 3600) },
        },
      }),
    );
    const { fake, post, deliver } = await seed();

    const result = await deliver(commentEventMessage('CommentCreated', post.id, 'e1'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fake.posts.rows.get(post.id)?.post.commentCount).toBe(0);
  });

  it('keeps the count exact when events come again, in any order, after their idempotency records are gone', async () => {
    // The store accepts every event id, as it does once a record has expired (24 h).
    const { fake, post, deliver } = await accepting();
    const created = (comment: string) =>
      commentEventMessage('CommentCreated', post.id, `e-c-${comment}`, comment);
    const deleted = (comment: string) =>
      commentEventMessage('CommentDeleted', post.id, `e-d-${comment}`, comment);
    const count = () => fake.posts.rows.get(post.id)?.post.commentCount;

    expect(await deliver(created('c1'), created('c2'), deleted('c1'), deleted('c3'))).toEqual({
      batchItemFailures: [],
    });
    expect(count()).toBe(1);
    // c3's creation after its deletion, then the whole lot replayed backwards, twice over.
    await deliver(created('c3'));
    expect(count()).toBe(1);
    await deliver(created('c3'), deleted('c3'), deleted('c1'), created('c2'), created('c1'));
    await deliver(deleted('c1'), created('c1'), created('c2'), created('c2'));
    expect(count()).toBe(1);
    await deliver(deleted('c2'), deleted('c2'));
    expect(count()).toBe(0);
  });
});
