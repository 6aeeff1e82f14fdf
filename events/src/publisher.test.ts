import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CommentCreatedV1 } from './contracts';
import { createPublisher, EventPublishError } from './publisher';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const comment = {
  id: 'c1',
  postId: 'p1',
  authorId: 'bob',
  body: 'hello',
  createdAt: '2026-11-01T09:31:00.000Z',
  seq: 1,
};

const publisher = () =>
  createPublisher({
    client: new EventBridgeClient({}),
    busName: 'live-comments-test',
    sleep: async () => {},
  });

describe('createPublisher', () => {
  it('puts a validated detail on the bus with the contract source and detail-type', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const detail = await publisher().publish(CommentCreatedV1, comment, {
      correlationId: 'req-1',
      eventId: 'e1',
    });
    expect(detail).toMatchObject({ version: 1, eventId: 'e1', correlationId: 'req-1', data: comment });
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const entry = call?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      EventBusName: 'live-comments-test',
      Source: 'live-comments.comments',
      DetailType: 'CommentCreated',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual(detail);
  });

  it('refuses data that breaks the contract before calling AWS', async () => {
    await expect(
      publisher().publish(CommentCreatedV1, { ...comment, seq: -1 }, { correlationId: 'r' }),
    ).rejects.toThrow();
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('retries only the entries PutEvents reports as failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    await publisher().publishAll([
      { contract: CommentCreatedV1, data: comment, options: { correlationId: 'r', eventId: 'first' } },
      {
        contract: CommentCreatedV1,
        data: { ...comment, id: 'c2', seq: 2 },
        options: { correlationId: 'r', eventId: 'second' },
      },
    ]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    const retried = calls[1]?.args[0].input.Entries ?? [];
    expect(retried.map((e) => JSON.parse(e.Detail ?? '{}').eventId)).toEqual(['second']);
  });

  it('reports the entries still failing after the last attempt', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    });
    const error = await publisher()
      .publish(CommentCreatedV1, comment, { correlationId: 'r', eventId: 'e9' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).failures).toEqual([
      { eventId: 'e9', errorCode: 'InternalFailure', errorMessage: 'boom' },
    ]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(4);
  });

  it('sends at most 10 entries per PutEvents call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await publisher().publishAll(
      Array.from({ length: 23 }, (_, i) => ({
        contract: CommentCreatedV1,
        data: { ...comment, id: `c${i}`, seq: i + 1 },
        options: { correlationId: 'r' },
      })),
    );
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      10, 10, 3,
    ]);
  });
});
