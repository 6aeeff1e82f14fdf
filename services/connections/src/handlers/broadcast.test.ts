import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { CommentCreatedV1, CommentDeletedV1, type DataOf } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { delay } from '@live-comments/shared';
import { lambdaContext, memoryIdempotencyTable, sqsEvent } from '@live-comments/shared/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionsApi } from '../adapters/connections-api';
import { buildFanOutQueue } from '../adapters/fanout-queue';
import { createFrameSender } from '../adapters/frame-sender';
import { DEFAULT_BROADCAST_POLICY } from '../domain/broadcast';
import type { BroadcasterDeps } from '../side-effects';
import { accountLimit, answers, fakeGateway, mockedTables, scriptOpenConnection } from '../testing/fakes';
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

/** Against a clock: the fake timers' (`vi.useFakeTimers`), which `run` moves on. */
const setup = (
  pageSize = 1000,
  { clock = 'fixed', concurrency = 4 }: { clock?: 'fixed' | 'timers'; concurrency?: number } = {},
) => {
  const addMetric = vi.fn();
  const log = vi.fn();
  const warn = vi.fn();
  const deps: BroadcasterDeps = {
    subscriptions,
    connections,
    sendFrame: createFrameSender({
      api: createConnectionsApi({
        endpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/test',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        transport: gateway.transport,
      }),
    }),
    continueLater: buildFanOutQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: QUEUE_URL }),
    metrics: { addMetric },
    ...(clock === 'timers'
      ? { now: Date.now, sleep: delay }
      : { now: () => Date.parse('2026-11-01T09:31:00.250Z'), sleep: async () => undefined }),
    log,
    warn,
    pageSize,
    concurrency,
    policy: DEFAULT_BROADCAST_POLICY,
    idempotencyTable: 'test-connections-idempotency',
  };
  return {
    addMetric,
    log,
    warn,
    broadcast: buildBroadcastHandler(deps),
    broadcastPage: buildBroadcastPageHandler(deps),
  };
};

beforeEach(() => {
  memoryIdempotencyTable(idempotencyStore);
  documents.on(QueryCommand).resolves({ Items: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});

afterEach(() => {
  vi.useRealTimers();
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
    const records = memoryIdempotencyTable(idempotencyStore).items;
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

/** Runs a handler call to its end, moving the fake timers on while it waits. */
const run = async <T>(call: Promise<T>): Promise<T> => {
  let done = false;
  call.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  while (!done) await vi.advanceTimersByTimeAsync(5);
  return call;
};

/** What went to the fan-out queue: each message, its body and its delay. */
const enqueued = () =>
  sqs.commandCalls(SendMessageCommand).map(({ args: [command] }) => ({
    body: command.input.MessageBody ?? '',
    message: JSON.parse(command.input.MessageBody ?? '{}') as Record<string, unknown>,
    delaySeconds: command.input.DelaySeconds,
  }));

/** The connections a continuation carries, sorted. */
const idsIn = (part: { message: Record<string, unknown> } | undefined) =>
  [...((part?.message.connectionIds as string[] | undefined) ?? [])].sort();

const connectionIds = (count: number, prefix = 'c') =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`);

/** How many frames each connection accepted. */
const deliveriesOf = () => {
  const counts = new Map<string, number>();
  for (const connectionId of gateway.delivered) counts.set(connectionId, (counts.get(connectionId) ?? 0) + 1);
  return counts;
};

const START = Date.parse('2026-11-01T09:31:00.250Z');

/** `count` subscribers of the post behind an account limit, on fake timers, and the handlers (page size `pageSize`). */
const throttledPost = (count: number, rate: { perSecond: number; burst: number }, pageSize: number) => {
  vi.useFakeTimers({ now: START });
  const subscribers = connectionIds(count);
  subscribersOf(`post:${postId}`, [subscribers]);
  const limit = accountLimit(rate);
  gateway.respond(limit.responder);
  return { subscribers, limit, ...setup(pageSize, { clock: 'timers', concurrency: 64 }) };
};

describe('broadcast under throttling and faults', () => {
  it('slows down to the account limit when throttled, and every subscriber gets the frame once', async () => {
    const { subscribers, limit, broadcast, addMetric, log } = throttledPost(
      3000,
      { perSecond: 1000, burst: 100 },
      3000,
    );

    const result = await run(
      broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext('broadcast', 30_000)),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect([...deliveriesOf().keys()].sort()).toEqual([...subscribers].sort());
    expect(gateway.delivered).toHaveLength(3000);
    // The limit sets the pace: (3000 - the burst of 100) / 1000 per second, and not much more.
    expect(Date.now() - START).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - START).toBeLessThan(3300);
    // One rate for the invocation: a few 429s per halving, not every frame refused over and over.
    expect(limit.refused).toBeGreaterThan(0);
    expect(limit.refused).toBeLessThan(3000 * 0.1);
    expect(addMetric).toHaveBeenCalledWith('Throttled', 'Count', limit.refused);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 3000);
    expect(addMetric).toHaveBeenCalledWith('Failed', 'Count', 0);
    expect(addMetric).toHaveBeenCalledWith('FramesContinued', 'Count', 0);
    expect(addMetric).toHaveBeenCalledWith('FramesAbandoned', 'Count', 0);
    const line = log.mock.calls.find(([, attributes]) => attributes.topic === `post:${postId}`)?.[1];
    expect(line?.sendsPerSecond).toBeLessThan(2500);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('keeps one rate for the whole invocation: the second event of a batch starts at the pace the first slowed to', async () => {
    vi.useFakeTimers({ now: START });
    const otherPost = { ...comment, id: 'c2', postId: 'other-post' };
    subscribersOf(`post:${postId}`, [connectionIds(500, 'a')]);
    subscribersOf('post:other-post', [connectionIds(500, 'b')]);
    gateway.respond(accountLimit({ perSecond: 500, burst: 50 }).responder);
    const { broadcast, log } = setup(1000, { clock: 'timers', concurrency: 64 });

    await run(
      broadcast(
        sqsEvent([
          { messageId: 'm1', body: commentCreated('event-1') },
          { messageId: 'm2', body: commentCreated('event-2', otherPost) },
        ]),
        lambdaContext('broadcast', 30_000),
      ),
    );

    expect(gateway.delivered).toHaveLength(1000);
    // The feed has no subscribers: its line, logged as each event starts, shows the invocation's rate then.
    const paces = log.mock.calls
      .filter(([, attributes]) => attributes.topic === 'feed')
      .map(([, attributes]) => attributes.sendsPerSecond as number);
    expect(paces[0]).toBe(10_000);
    expect(paces[1]).toBeLessThan(1500);
  });

  it("starts a warm container's next invocation at the pace the previous one left, grown for the time between", async () => {
    vi.useFakeTimers({ now: START });
    subscribersOf(`post:${postId}`, [connectionIds(500)]);
    gateway.respond(accountLimit({ perSecond: 500, burst: 50 }).responder);
    const { broadcast, log } = setup(1000, { clock: 'timers', concurrency: 64 });
    await run(
      broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated('event-1') }]), lambdaContext('b', 30_000)),
    );
    const left = log.mock.calls.find(([, attributes]) => attributes.topic === `post:${postId}`)?.[1]
      .sendsPerSecond as number;
    expect(left).toBeLessThan(1500);

    await vi.advanceTimersByTimeAsync(1000);
    await run(
      broadcast(sqsEvent([{ messageId: 'm2', body: commentCreated('event-2') }]), lambdaContext('b', 30_000)),
    );

    // The empty feed page is logged as the second invocation starts: 500 a second more than it was left.
    const feed = log.mock.calls
      .filter(([, attributes]) => attributes.topic === 'feed')
      .map(([, a]) => a.sendsPerSecond);
    expect(feed[0]).toBe(10_000);
    expect(feed[1]).toBeGreaterThanOrEqual(left + 500);
    expect(feed[1]).toBeLessThan(left + 600);
  });

  it('retries a burst of 5xx, and continues what still fails: exactly those connections, delayed', async () => {
    subscribersOf(`post:${postId}`, [['a', 'b', 'c', 'd']]);
    // a recovers within the invocation; b and c fail their three attempts; d never fails.
    gateway.answer('a', answers.internalError, answers.ok);
    gateway.answer('b', answers.internalError, answers.internalError, answers.internalError, answers.ok);
    gateway.answer(
      'c',
      new Error('socket hang up'),
      answers.internalError,
      answers.internalError,
      answers.ok,
    );
    const { broadcast, broadcastPage, addMetric } = setup();

    const result = await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(gateway.sent.filter((sent) => sent.connectionId === 'b')).toHaveLength(3);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('Failed', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('FramesContinued', 'Count', 2);
    const [retry, ...others] = enqueued();
    expect(others).toEqual([]);
    expect(retry?.delaySeconds).toBe(1);
    expect(retry?.message).toMatchObject({
      eventId: 'event-1',
      correlationId: 'corr-1',
      occurredAt: at.occurredAt,
      firstSeenAt: '2026-11-01T09:31:00.250Z',
      topic: `post:${postId}`,
      page: 0,
      round: 1,
    });
    expect(idsIn(retry)).toEqual(['b', 'c']);
    expect(JSON.parse(String(retry?.message.frame))).toEqual({
      type: 'comment.created',
      topic: `post:${postId}`,
      eventId: 'event-1',
      data: comment,
    });

    // The fan-out queue delivers it after its delay: b and c get the frame, nobody else again.
    expect(
      await broadcastPage(sqsEvent([{ messageId: 'r1', body: retry?.body ?? '' }]), lambdaContext()),
    ).toEqual({ batchItemFailures: [] });
    expect(Object.fromEntries(deliveriesOf())).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect(enqueued()).toHaveLength(1);
  });

  it('rides out a 5xx outage of a fraction of a second: retried with backoff, the rest continued, each frame delivered once', async () => {
    vi.useFakeTimers({ now: START });
    const subscribers = connectionIds(200);
    subscribersOf(`post:${postId}`, [subscribers]);
    // @connections answers 500 for 120 ms, then recovers.
    gateway.respond(() => (Date.now() < START + 120 ? answers.internalError : undefined));
    const { broadcast, broadcastPage } = setup(1000, { clock: 'timers', concurrency: 64 });

    await run(
      broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext('broadcast', 30_000)),
    );
    const first = new Set(gateway.delivered);
    const retries = enqueued();
    // Backoffs of up to 100 and 200 ms: some got through on a later attempt, the others wait in a continuation.
    expect(first.size).toBeGreaterThan(0);
    expect(retries).toHaveLength(1);
    expect(idsIn(retries[0])).toEqual(subscribers.filter((id) => !first.has(id)).sort());

    await run(
      broadcastPage(
        sqsEvent([{ messageId: 'r1', body: retries[0]?.body ?? '' }]),
        lambdaContext('page', 30_000),
      ),
    );
    expect(deliveriesOf().size).toBe(200);
    expect([...deliveriesOf().values()].every((count) => count === 1)).toBe(true);
  });

  it('hands what it could not send within its budget to continuations of exactly those connections', async () => {
    const { subscribers, broadcast, broadcastPage, addMetric } = throttledPost(
      1000,
      { perSecond: 200, burst: 10 },
      1000,
    );

    // 2 s of sending: the budget is what remains less the 5 s margin.
    await run(
      broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext('broadcast', 7_000)),
    );

    expect(Date.now() - START).toBeLessThan(7_000);
    const first = [...gateway.delivered];
    expect(first.length).toBeGreaterThan(300);
    expect(first.length).toBeLessThan(500);
    const [retry, ...others] = enqueued();
    expect(others).toEqual([]);
    const left = retry?.message.connectionIds as string[];
    expect(new Set([...first, ...left]).size).toBe(1000);
    expect([...first, ...left].sort()).toEqual([...subscribers].sort());
    expect(retry?.message).toMatchObject({ round: 1, page: 0, eventId: 'event-1' });
    expect(retry?.delaySeconds).toBe(1);
    expect(addMetric).toHaveBeenCalledWith('FramesContinued', 'Count', left.length);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', first.length);

    // The continuation, with time enough, sends the rest.
    await vi.advanceTimersByTimeAsync(1000);
    await run(
      broadcastPage(sqsEvent([{ messageId: 'r1', body: retry?.body ?? '' }]), lambdaContext('page', 30_000)),
    );
    expect([...deliveriesOf().values()].every((count) => count === 1)).toBe(true);
    expect(deliveriesOf().size).toBe(1000);
    expect(enqueued()).toHaveLength(1);
  });

  it('splits what is left into messages SQS takes (256 KiB), together exactly the connections left', async () => {
    const subscribers = connectionIds(4000, `${'x'.repeat(80)}-`);
    subscribersOf(`post:${postId}`, [subscribers]);
    const { broadcast } = setup(4000);

    // No time left to send: the margin is all that remains.
    await broadcast(
      sqsEvent([{ messageId: 'm1', body: commentCreated() }]),
      lambdaContext('broadcast', 4_000),
    );

    expect(gateway.sent).toEqual([]);
    const parts = enqueued();
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part.body)).toBeLessThanOrEqual(256 * 1024);
    expect(parts.flatMap((part) => part.message.connectionIds as string[])).toEqual(subscribers);
    expect(new Set(parts.map((part) => part.message.pageKey)).size).toBe(parts.length);
  });

  it('abandons, counts and logs the frames it cannot send past the deadline, and prunes the gone', async () => {
    subscribersOf(`post:${postId}`, [['throttled', 'failing', 'fine', 'closed']]);
    gateway.answer('throttled', answers.throttled);
    gateway.answer('failing', answers.internalError);
    gateway.answer('closed', answers.gone);
    scriptOpenConnection(documents, 'closed', [`post:${postId}`]);
    const { broadcast, addMetric, warn } = setup();
    // 15 minutes and a second after the comment.
    const late = { correlationId: 'corr-late', occurredAt: '2026-11-01T09:15:59.250Z' };

    const result = await broadcast(
      sqsEvent([
        {
          messageId: 'm1',
          body: eventBridgeMessage(CommentCreatedV1, comment, { ...late, eventId: 'event-late' }),
        },
      ]),
      lambdaContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    // Each had its one try; none is retried, nothing is continued.
    expect(gateway.sent.map((sent) => sent.connectionId).sort()).toEqual([
      'closed',
      'failing',
      'fine',
      'throttled',
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(addMetric).toHaveBeenCalledWith('FramesAbandoned', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('Delivered', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('Gone', 'Count', 1);
    expect(documents.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      Key: { connectionId: 'closed' },
    });
    expect(warn).toHaveBeenCalledWith(
      'Frames abandoned',
      expect.objectContaining({
        eventId: 'event-late',
        correlationId: 'corr-late',
        topic: `post:${postId}`,
        frames: 2,
        pastDeadline: 2,
        connectionIds: expect.arrayContaining(['throttled', 'failing']),
      }),
    );
  });

  it('abandons a continuation that arrives past the deadline without sending it', async () => {
    subscribersOf(`post:${postId}`, [['a', 'b']]);
    gateway.answer('*', answers.internalError);
    const { broadcast, broadcastPage, addMetric, warn } = setup();
    await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());
    const [retry] = enqueued();
    expect(idsIn(retry)).toEqual(['a', 'b']);
    gateway.reset();
    addMetric.mockClear();

    // The same retry, with its event 15 minutes old.
    const stale = { ...retry?.message, occurredAt: '2026-11-01T09:16:00.000Z' };
    await broadcastPage(sqsEvent([{ messageId: 'r1', body: JSON.stringify(stale) }]), lambdaContext());

    expect(gateway.sent).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('FramesAbandoned', 'Count', 2);
    expect(warn).toHaveBeenCalledWith(
      'Frames abandoned',
      expect.objectContaining({ eventId: 'event-1', frames: 2 }),
    );
    expect(enqueued()).toHaveLength(1);
  });

  it('sends a duplicated continuation once, and once more per connection at most when its first try failed', async () => {
    subscribersOf(`post:${postId}`, [['a', 'b', 'c']]);
    gateway.answer('b', answers.internalError);
    gateway.answer('c', answers.internalError);
    const { broadcast, broadcastPage } = setup();
    await broadcast(sqsEvent([{ messageId: 'm1', body: commentCreated() }]), lambdaContext());
    const [retry] = enqueued();
    expect(idsIn(retry)).toEqual(['b', 'c']);
    gateway.reset();

    // SQS delivers it twice: sent once.
    await broadcastPage(sqsEvent([{ messageId: 'r1', body: retry?.body ?? '' }]), lambdaContext());
    await broadcastPage(sqsEvent([{ messageId: 'r1-again', body: retry?.body ?? '' }]), lambdaContext());
    expect(Object.fromEntries(deliveriesOf())).toEqual({ b: 1, c: 1 });

    // One whose first handling failed (its own continuation could not be enqueued) comes back from
    // SQS and is handled again: b gets the frame a second time (clients drop it by eventId), c once.
    gateway.answer('b', answers.internalError);
    gateway.answer('c', answers.internalError);
    await broadcast(sqsEvent([{ messageId: 'm2', body: commentCreated('event-2') }]), lambdaContext());
    const second = enqueued().at(-1);
    expect(second?.message).toMatchObject({ eventId: 'event-2', round: 1 });
    gateway.reset();
    gateway.answer('c', answers.internalError, answers.internalError, answers.internalError, answers.ok);
    let unavailable = true;
    sqs.on(SendMessageCommand).callsFake(async () => {
      if (!unavailable) return { MessageId: 'm' };
      unavailable = false;
      throw new Error('SQS unavailable');
    });
    // The only record of the batch failed: the whole batch returns to the queue.
    await expect(
      broadcastPage(sqsEvent([{ messageId: 'r2', body: second?.body ?? '' }]), lambdaContext()),
    ).rejects.toThrow('All records failed');
    await broadcastPage(sqsEvent([{ messageId: 'r2-again', body: second?.body ?? '' }]), lambdaContext());
    expect(Object.fromEntries(deliveriesOf())).toEqual({ b: 2, c: 1 });
  });
});
