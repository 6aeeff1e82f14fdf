import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CommentCreatedV1, CommentDeletedV1 } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { sqsEvent } from '@live-comments/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { Comment, Post } from '../../client/src/index';
import { api, eventually, useLocalCloud } from './support/cloud';

/**
 * commentCount under the deliveries a deployed system meets: real comments
 * through the HTTP API, and comment events handed to the posts service's
 * countComments reversed, repeated, and replayed after their idempotency
 * records are gone (as after the 24 h window, or a replay of the bus archive).
 */
// A duplicate that meets its twin's idempotency record still in progress fails
// and comes back after the queue's visibility timeout (60 s, as deployed):
// scaled to 15 s here so the replay test sees it settle within its wait.
const cloud = useLocalCloud({ visibilityTimeoutScale: 0.25 });
const { request, token } = api(cloud);

const TABLES = { markers: 'local-posts-counted-comments', idempotency: 'local-posts-idempotency' };
const QUEUE = 'local-posts-comment-events';

const clients: { documents?: DynamoDBDocumentClient; sqs?: SQSClient } = {};
const edgeConfig = () => ({
  endpoint: cloud().urls.edge,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const documents = () => {
  clients.documents ??= DynamoDBDocumentClient.from(new DynamoDBClient(edgeConfig()));
  return clients.documents;
};
const sqs = () => {
  clients.sqs ??= new SQSClient(edgeConfig());
  return clients.sqs;
};
afterAll(() => {
  clients.documents?.destroy();
  clients.sqs?.destroy();
});

const newPost = async (alice: string, title: string): Promise<Post> => {
  const created = await request<Post>('POST', '/api/v1/posts', { token: alice, body: { title, body: 'b' } });
  expect(created.status).toBe(201);
  return created.body;
};

const commentCount = async (postId: string) =>
  (await request<Post>('GET', `/api/v1/posts/${postId}`)).body.commentCount;

/** Waits until the post's commentCount over the HTTP API is `expected`. */
const countReaches = (postId: string, expected: number) =>
  eventually(async () => ((await commentCount(postId)) === expected ? true : undefined));

/** The post's markers as stored: commentId -> state. */
const markersOf = async (postId: string) => {
  const { Items = [] } = await documents().send(
    new QueryCommand({
      TableName: TABLES.markers,
      KeyConditionExpression: 'postId = :postId',
      ExpressionAttributeValues: { ':postId': postId },
      ConsistentRead: true,
    }),
  );
  return Object.fromEntries(Items.map((item) => [item.commentId, item.state]));
};

const idempotencyRecords = async () => {
  const records: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: documents() }, { TableName: TABLES.idempotency })) {
    records.push(...(page.Items ?? []));
  }
  return records;
};

/** Forgets every event id countComments has handled, as the records' 24 h expiry would. */
const expireIdempotencyRecords = async () => {
  for (const record of await idempotencyRecords()) {
    await documents().send(new DeleteCommand({ TableName: TABLES.idempotency, Key: { id: record.id } }));
  }
  expect(await idempotencyRecords()).toEqual([]);
};

/** Comment events of one post, built with the contracts, each with a fixed event id so it can come again. */
const eventsOf = (postId: string) => ({
  created: (commentId: string) =>
    eventBridgeMessage(
      CommentCreatedV1,
      { id: commentId, postId, authorId: 'bob', body: 'hi', createdAt: '2026-01-01T10:00:00.000Z', seq: 1 },
      { eventId: `${postId}-${commentId}-created` },
    ),
  deleted: (commentId: string) =>
    eventBridgeMessage(
      CommentDeletedV1,
      { id: commentId, postId, authorId: 'bob', seq: 1, deletedAt: '2026-01-01T10:05:00.000Z' },
      { eventId: `${postId}-${commentId}-deleted` },
    ),
});

/** Invokes countComments with one SQS batch, as its event source mapping would; every record must succeed. */
const invokeCountComments = async (...bodies: string[]) => {
  const outcome = await cloud().invoke('posts.countComments', sqsEvent(bodies));
  expect(outcome).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
};

describe('comment counts on the local cloud', () => {
  it('counts real comments through the HTTP API, 0 to n and down again, and a deleted post takes its markers', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const post = await newPost(alice, 'Counted');
    expect(await commentCount(post.id)).toBe(0);

    const comments: Comment[] = [];
    for (const body of ['one', 'two', 'three', 'four']) {
      // The first waits for the comments service to learn of the post (PostCreated).
      const comment = await eventually(async () => {
        const response = await request<Comment>('POST', `/api/v1/posts/${post.id}/comments`, {
          token: bob,
          body: { body },
        });
        return response.status === 201 ? response.body : undefined;
      });
      comments.push(comment);
      await countReaches(post.id, comments.length);
    }
    const [first, second] = comments as [Comment, Comment];

    for (const [index, comment] of [first, second].entries()) {
      const deleted = await request('DELETE', `/api/v1/posts/${post.id}/comments/${comment.id}`, {
        token: bob,
      });
      expect(deleted.status).toBe(204);
      await countReaches(post.id, comments.length - index - 1);
    }
    expect(await markersOf(post.id)).toEqual({
      [comments[0]?.id ?? '']: 'deleted',
      [comments[1]?.id ?? '']: 'deleted',
      [comments[2]?.id ?? '']: 'counted',
      [comments[3]?.id ?? '']: 'counted',
    });

    expect((await request('DELETE', `/api/v1/posts/${post.id}`, { token: alice })).status).toBe(204);
    expect(await markersOf(post.id)).toEqual({});
    // Events about the deleted post (its comments' deletions, a replay) leave no marker behind.
    const { created, deleted } = eventsOf(post.id);
    await invokeCountComments(created('late'), deleted(comments[2]?.id ?? ''), deleted('never-counted'));
    expect(await markersOf(post.id)).toEqual({});
    expect((await request('GET', `/api/v1/posts/${post.id}`)).status).toBe(404);
  });

  it('is exact for events reversed, repeated, and replayed after their idempotency records are gone', async () => {
    const alice = await token('alice');
    const post = await newPost(alice, 'Reordered');
    const { created, deleted } = eventsOf(post.id);

    // a: deleted before it is created; b: created three times; c: created, deleted twice; d: created.
    const deliveries = [
      deleted('a'),
      created('a'),
      created('b'),
      created('b'),
      deleted('c'),
      created('c'),
      deleted('c'),
      created('d'),
      created('b'),
    ];
    await invokeCountComments(...deliveries.slice(0, 4));
    await invokeCountComments(...deliveries.slice(4));
    expect(await commentCount(post.id)).toBe(2);
    expect(await markersOf(post.id)).toEqual({ a: 'deleted', b: 'counted', c: 'deleted', d: 'counted' });

    // The window is over: every event id is new to the idempotency store again. Replayed
    // backwards, one batch each, then all in one batch: the markers alone keep the count.
    expect((await idempotencyRecords()).length).toBeGreaterThanOrEqual(6);
    await expireIdempotencyRecords();
    for (const body of [...deliveries].reverse()) await invokeCountComments(body);
    expect(await commentCount(post.id)).toBe(2);
    // Each of the 6 event ids was handled again, not skipped.
    expect((await idempotencyRecords()).map((record) => record.status)).toEqual(Array(6).fill('COMPLETED'));

    await expireIdempotencyRecords();
    await invokeCountComments(...deliveries, ...deliveries);
    expect(await commentCount(post.id)).toBe(2);

    // Later events still move it: d deleted (twice), e created.
    await invokeCountComments(deleted('d'), deleted('d'));
    expect(await commentCount(post.id)).toBe(1);
    await invokeCountComments(created('e'));
    expect(await commentCount(post.id)).toBe(2);
    expect(await markersOf(post.id)).toEqual({
      a: 'deleted',
      b: 'counted',
      c: 'deleted',
      d: 'deleted',
      e: 'counted',
    });
  });

  it('is exact when a replay of the same events goes through the queue, in whatever order SQS hands them over', async () => {
    const alice = await token('alice');
    const post = await newPost(alice, 'Queued');
    const { created, deleted } = eventsOf(post.id);
    const comments = Array.from({ length: 12 }, (_, index) => `q${index}`);
    // Every comment created; every third deleted, its deletion sent first.
    const deliveries = comments.flatMap((id, index) =>
      index % 3 === 0 ? [deleted(id), created(id)] : [created(id)],
    );
    const expected = comments.length - Math.ceil(comments.length / 3);

    const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: QUEUE }));
    const send = async (bodies: string[]) => {
      for (let start = 0; start < bodies.length; start += 10) {
        const entries = bodies.slice(start, start + 10).map((MessageBody, index) => ({
          Id: String(index),
          MessageBody,
        }));
        const { Failed = [] } = await sqs().send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
        expect(Failed).toEqual([]);
      }
    };
    /** Waits until the queue holds nothing, visible or in flight. */
    const drained = () =>
      eventually(async () => {
        const { Attributes = {} } = await sqs().send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Attributes.ApproximateNumberOfMessages === '0' &&
          Attributes.ApproximateNumberOfMessagesNotVisible === '0'
          ? true
          : undefined;
      }, 45_000);

    await send(deliveries);
    await countReaches(post.id, expected);
    await drained();

    await expireIdempotencyRecords();
    await send([...deliveries].reverse());
    await send(deliveries);
    await drained();
    expect(await commentCount(post.id)).toBe(expected);
    expect(Object.values(await markersOf(post.id)).filter((state) => state === 'counted')).toHaveLength(
      expected,
    );
  });
});
