import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { CommentCreatedV1, CommentDeletedV1, type DataOf } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { lambdaContext, sqsEvent } from '@live-comments/shared/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionsApi } from '../adapters/connections-api';
import { buildFanOutQueue } from '../adapters/fanout-queue';
import { createFrameSender } from '../adapters/frame-sender';
import type { BroadcasterDeps } from '../side-effects';
import {
  answers,
  fakeGateway,
  fakeIdempotencyTable,
  mockedTables,
  scriptOpenConnection,
} from '../testing/fakes';
import { buildBroadcastHandler } from './broadcast';
import { buildBroadcastPageHandler } from './broadcast-page';

const { documents, connections, subscriptions } = mockedTables({
  connections: 'test-websocket-connections',
  subscriptions: 'test-websocket-subscriptions',
});
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/test-connections-fanout';

const idempotencyStore = mockClient(DynamoDBClient);
const gateway = fakeGateway();
const sqs = mockClient(SQSClient);

const subscribersOf = (topic: string, pages: string[][]) => {
  pages.forEach((connectionIds, index) => {
    const cursor = index === 0 ? undefined : { topic, connectionId: pages[index - 1]?.at(-1) ?? '' };
    const next = index < pages.length - 1 ? { topic, connectionId: connectionIds.at(-1) ?? '' } : undefined;
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':topic': topic }, ExclusiveStartKey: cursor })
      .resolves({ Items: connectionIds.map((connectionId) => ({ connectionId })), LastEvaluatedKey: next });
  });
};

const postId = '01JD8Z6K3Q9W5T2R7X4M1N0P8B';
const comment = {
  id: '01JD8Z7M4R0X6U3S8Y5N2P1Q9C',
  postId,
  authorId: 'bob',
  body: 'Congratulations!',
  createdAt: '2026-11-01T09:31:00.000Z',
  seq: 1,
};

const at = { correlationId: 'corr-1', occurredAt: '2026-11-01T09:31:00.000Z' };
const commentCreated = (eventId = 'event-1', data = comment) =>
  eventBridgeMessage(CommentCreatedV1, data, { ...at, eventId });
const commentDeleted = (eventId: string, data: DataOf<typeof CommentDeletedV1>) =>
  eventBridgeMessage(CommentDeletedV1, data, { ...at, eventId });

/** Frames sent, by connection id. */
const sentFrames = () => gateway.sent.map(({ connectionId, frame }) => ({ connectionId, frame }));

const setup = (pageSize = 1000) => {
  const addMetric = vi.fn();
  const deps: BroadcasterDeps = {
    subscriptions,
    connections,
    sendFrame: createFrameSender({
      api: createConnectionsApi({
        endpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/test',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        transport: gateway.transport,
      }),
      sleep: async () => undefined,
    }),
    continueLater: buildFanOutQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: QUEUE_URL }),
    metrics: { addMetric },
    now: () => Date.parse('2026-11-01T09:31:00.250Z'),
    pageSize,
    concurrency: 4,
    idempotencyTable: 'test-connections-idempotency',
  };
  return {
    addMetric,
    broadcast: buildBroadcastHandler(deps),
    broadcastPage: buildBroadcastPageHandler(deps),
  };
};

beforeEach(() => {
  fakeIdempotencyTable(idempotencyStore);
  documents.on(QueryCommand).resolves({ Items: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});

afterEach(() => {
  documents.reset();
  idempotencyStore.reset();
  gateway.reset();
  sqs.reset();
});

describe('broadcast', () => {
  it('sends a new comment to the subscribers of its post and of the feed, in the frames of the contract', async () => {
    subscribersOf(`post:${postId}`, [['a', 'b']]);
    subscribersOf('feed', [['c']]);
    const { broadcast, addMetric } = setup();

    const result = await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentFrames()).toEqual([
      {
        connectionId: 'a',
        frame: { type: 'comment.created', topic: `post:${postId}`, eventId: 'event-1', data: comment },
      },
      {
        connectionId: 'b',
        frame: { type: 'comment.created', topic: `post:${postId}`, eventId: 'event-1', data: comment },
      },
      {
        connectionId: 'c',
        frame: { type: 'comment.created', topic: 'feed', eventId: 'event-1', data: comment },
      },
    ]);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('FanOutSize', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('EventAgeAtDelivery', 'Milliseconds', 250);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sends a deleted comment to its post only', async () => {
    const deleted = {
      id: comment.id,
      postId,
      authorId: 'bob',
      seq: 1,
      deletedAt: '2026-11-01T10:00:00.000Z',
    };
    subscribersOf(`post:${postId}`, [['a']]);
    subscribersOf('feed', [['c']]);
    const { broadcast } = setup();

    await broadcast(
      sqsEvent([{ messageId: 'm1', body: commentDeleted('event-2', deleted) }]),
      lambdaContext(),
    );

    expect(sentFrames()).toEqual([
      {
        connectionId: 'a',
        frame: { type: 'comment.deleted', topic: `post:${postId}`, eventId: 'event-2', data: deleted },
      },
    ]);
  });

  it('reaches every page of a large topic through continuations on the fan-out queue', async () => {
    subscribersOf(`post:${postId}`, [['a', 'b'], ['c', 'd'], ['e']]);
    const { broadcast, broadcastPage } = setup(2);

    await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());
    // Each continuation is consumed as the fan-out queue would deliver it.
    for (let handled = 0; handled < sqs.commandCalls(SendMessageCommand).length; handled++) {
      const body = sqs.commandCalls(SendMessageCommand)[handled]?.args[0].input.MessageBody ?? '';
      const result = await broadcastPage(sqsEvent([{ messageId: `c${handled}`, body }]), lambdaContext());
      expect(result).toEqual({ batchItemFailures: [] });
    }

    expect(sentFrames().map((sent) => sent.connectionId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(new Set(sentFrames().map((sent) => JSON.stringify(sent.frame))).size).toBe(1);
    const continuations = sqs
      .commandCalls(SendMessageCommand)
      .map(({ args: [command] }) => JSON.parse(command.input.MessageBody ?? '{}'));
    expect(continuations).toMatchObject([
      {
        pageKey: `event-1#post:${postId}#1`,
        page: 1,
        cursor: { topic: `post:${postId}`, connectionId: 'b' },
      },
      {
        pageKey: `event-1#post:${postId}#2`,
        page: 2,
        cursor: { topic: `post:${postId}`, connectionId: 'd' },
      },
    ]);
  });

  it('sends a redelivered continuation page once', async () => {
    subscribersOf(`post:${postId}`, [['a'], ['b']]);
    const { broadcast, broadcastPage } = setup(1);
    await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());
    const body = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '';

    await broadcastPage(sqsEvent([{ messageId: 'c1', body }]), lambdaContext());
    await broadcastPage(sqsEvent([{ messageId: 'c1-again', body }]), lambdaContext());

    expect(sentFrames().map((sent) => sent.connectionId)).toEqual(['a', 'b']);
  });

  it('forgets a closed connection (410) with its subscriptions and counts it gone', async () => {
    subscribersOf(`post:${postId}`, [['open', 'closed']]);
    gateway.answer('closed', answers.gone);
    scriptOpenConnection(documents, 'closed', [`post:${postId}`]);
    const { broadcast, addMetric } = setup();

    const result = await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(documents.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'test-websocket-connections',
      Key: { connectionId: 'closed' },
    });
    expect(documents.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems).toEqual({
      'test-websocket-subscriptions': [
        { DeleteRequest: { Key: { topic: `post:${postId}`, connectionId: 'closed' } } },
      ],
    });
    expect(documents.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { connectionId: '#open-connections' },
      UpdateExpression: 'SET #count = #count - :one',
    });
    expect(addMetric).toHaveBeenCalledWith('Gone', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 1);
  });

  it('retries a throttled send and delivers it', async () => {
    subscribersOf(`post:${postId}`, [['a']]);
    gateway.answer('a', answers.throttled, answers.ok);
    const { broadcast, addMetric } = setup();

    await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());

    expect(gateway.sent).toHaveLength(2);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('Failed', 'Count', 0);
  });

  it('counts a send that keeps failing as failed without failing the event', async () => {
    subscribersOf(`post:${postId}`, [['a']]);
    gateway.answer('a', answers.internalError);
    const { broadcast, addMetric } = setup();

    const result = await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(gateway.sent).toHaveLength(3);
    expect(addMetric).toHaveBeenCalledWith('Failed', 'Count', 1);
  });

  it('returns only the records that failed', async () => {
    const otherPost = { ...comment, id: 'c2', postId: 'broken-post' };
    subscribersOf(`post:${postId}`, [['a']]);
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':topic': 'post:broken-post' } })
      .rejects(new Error('ProvisionedThroughputExceeded'));
    const { broadcast } = setup();

    const result = await broadcast(
      sqsEvent([
        { messageId: 'good', body: commentCreated('event-good') },
        { messageId: 'bad', body: commentCreated('event-bad', otherPost) },
        { messageId: 'not-an-event', body: '{"hello":1}' },
      ]),
      lambdaContext(),
    );

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'bad',
      'not-an-event',
    ]);
    expect(sentFrames().map((sent) => sent.connectionId)).toEqual(['a']);
  });

  it('reads the first pages while the event id is being recorded, and sends only once it is', async () => {
    subscribersOf(`post:${postId}`, [['a']]);
    const records = fakeIdempotencyTable(idempotencyStore);
    let recorded: () => void = () => {};
    const recording = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    idempotencyStore
      .on(PutItemCommand)
      .callsFake(async (input: { Item: Parameters<typeof unmarshall>[0] }) => {
        await recording;
        const item = unmarshall(input.Item);
        records.set(String(item.id), item);
        return {};
      });
    const { broadcast } = setup();

    const handled = broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());
    await vi.waitFor(() => expect(documents.commandCalls(QueryCommand)).toHaveLength(2));
    expect(sentFrames()).toEqual([]);
    recorded();

    expect(await handled).toEqual({ batchItemFailures: [] });
    expect(sentFrames().map((sent) => sent.connectionId)).toEqual(['a']);
  });

  it('delivers an event id once, however often it arrives', async () => {
    subscribersOf(`post:${postId}`, [['a']]);
    const { broadcast } = setup();

    await broadcast(
      sqsEvent([
        { messageId: 'm1', body: commentCreated('event-1') },
        { messageId: 'm2', body: commentCreated('event-1') },
      ]),
      lambdaContext(),
    );
    await broadcast(sqsEvent([{ messageId: 'm3', body: commentCreated('event-1') }]), lambdaContext());

    expect(sentFrames().map((sent) => sent.connectionId)).toEqual(['a']);
  });
});
