import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createPost } from '../domain/posts';
import { commentEventMessage, fakeDeps, lambdaContext, sqsEvent } from '../test-support';
import { countCommentsHandler } from './count-comments';

// The idempotency store (Powertools, on the shared DynamoDB client) is the AWS edge of this consumer.
const idempotencyStore = mockClient(DynamoDBClient);
afterEach(() => idempotencyStore.reset());

const seed = async () => {
  const fake = fakeDeps();
  const post = await createPost(fake.deps, { authorId: 'alice', title: 'T', body: 'B' }, 'c');
  const handler = countCommentsHandler(
    () => fake.deps,
    () => 'test-posts-idempotency',
  );
  return { fake, post, handler };
};

describe('countComments', () => {
  it('counts each comment event and reports no failures', async () => {
    idempotencyStore.on(PutItemCommand).resolves({});
    idempotencyStore.on(UpdateItemCommand).resolves({});
    const { fake, post, handler } = await seed();

    const result = await handler(
      sqsEvent([
        commentEventMessage('CommentCreated', post.id, 'e1'),
        commentEventMessage('CommentCreated', post.id, 'e2'),
        commentEventMessage('CommentDeleted', post.id, 'e3'),
        commentEventMessage('CommentCreated', 'deleted-post', 'e4'),
      ]),
      lambdaContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fake.posts.rows.get(post.id)?.post.commentCount).toBe(1);
    const keys = idempotencyStore.commandCalls(PutItemCommand).map((c) => c.args[0].input.TableName);
    expect(keys).toEqual(Array(4).fill('test-posts-idempotency'));
  });

  it('reports only the records it cannot handle', async () => {
    idempotencyStore.on(PutItemCommand).resolves({});
    idempotencyStore.on(UpdateItemCommand).resolves({});
    const { fake, post, handler } = await seed();

    const result = await handler(
      sqsEvent([
        commentEventMessage('CommentCreated', post.id, 'e1'),
        'not json',
        JSON.stringify({ hello: 1 }),
      ]),
      lambdaContext(),
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
    const { fake, post, handler } = await seed();

    const result = await handler(
      sqsEvent([commentEventMessage('CommentCreated', post.id, 'e1')]),
      lambdaContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(fake.posts.rows.get(post.id)?.post.commentCount).toBe(0);
  });
});
