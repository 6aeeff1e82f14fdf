import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { buildConnectionsTable } from '../../services/connections/src/adapters/connections-table';
import { connectedHourOf, connectionExpiresAt } from '../../services/connections/src/domain/lifetime';
import { api, eventually, useLocalCloud } from './support/cloud';
import { TestSocket } from './support/ws-client';

const cloud = useLocalCloud();
const { request, token } = api(cloud);

const newPost = async (author: string) => {
  const response = await request<{ id: string }>('POST', '/api/v1/posts', {
    token: await token(author),
    body: { title: 'Live', body: 'Watch this' },
  });
  return response.body.id;
};

/** Comments on a post once the comments service has learned of it (PostCreated is asynchronous). */
const comment = async (postId: string, author: string, body: string) => {
  const auth = await token(author);
  return eventually(async () => {
    const response = await request<{ id: string; seq: number }>('POST', `/api/v1/posts/${postId}/comments`, {
      token: auth,
      body: { body },
    });
    return response.status === 201 ? response.body : undefined;
  });
};

describe('WebSocket stream on the local cloud', () => {
  it('refuses a handshake whose token does not verify, or whose Origin is not allowed', async () => {
    await expect(TestSocket.open(`${cloud().urls.websocket}?token=not-a-jwt`)).rejects.toThrow(/401/);
    await expect(TestSocket.open(cloud().urls.websocket, { origin: 'https://evil.example' })).rejects.toThrow(
      /403/,
    );
    const browser = await TestSocket.open(cloud().urls.websocket, { origin: cloud().urls.web });
    browser.close();
  });

  it('accepts a verified token and anonymous readers, and answers ping', async () => {
    const signedIn = await TestSocket.open(`${cloud().urls.websocket}?token=${await token('alice')}`);
    const anonymous = await TestSocket.open(cloud().urls.websocket);
    expect(await anonymous.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    signedIn.close();
    anonymous.close();
  });

  it('delivers comment.created to every subscriber of the post and to the feed', async () => {
    const postId = await newPost('alice');
    const watchers = await Promise.all(
      Array.from({ length: 5 }, () => TestSocket.open(cloud().urls.websocket)),
    );
    for (const watcher of watchers) {
      const before = Date.now();
      const ack = await watcher.request({ action: 'subscribe', topic: `post:${postId}` });
      expect(ack).toMatchObject({ type: 'subscribed', topic: `post:${postId}`, at: expect.any(String) });
      // `at`: when the subscription was stored, on the server's clock (here the same machine's).
      const at = Date.parse(String(ack.at));
      expect(new Date(at).toISOString()).toBe(ack.at);
      expect(at).toBeGreaterThanOrEqual(before - 1_000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
    const feed = await TestSocket.open(cloud().urls.websocket);
    await feed.request({ action: 'subscribe', topic: 'feed' });

    const created = await comment(postId, 'bob', 'hello, live world');
    for (const watcher of watchers) {
      const frame = await watcher.next((f) => f.type === 'comment.created');
      expect(frame).toMatchObject({
        type: 'comment.created',
        topic: `post:${postId}`,
        eventId: expect.any(String),
        data: { id: created.id, postId, authorId: 'bob', body: 'hello, live world', seq: created.seq },
      });
    }
    expect(
      await feed.next((f) => f.type === 'comment.created' && (f.data as { id: string }).id === created.id),
    ).toMatchObject({
      topic: 'feed',
    });
    for (const socket of [...watchers, feed]) socket.close();
  });

  it("logs the broadcast under the correlation id of the comment's HTTP request", async () => {
    const postId = await newPost('alice');
    const watcher = await TestSocket.open(cloud().urls.websocket);
    await watcher.request({ action: 'subscribe', topic: `post:${postId}` });
    const bob = await token('bob');
    const correlationId = `trace-${Date.now()}`;
    await eventually(async () => {
      const response = await request('POST', `/api/v1/posts/${postId}/comments`, {
        token: bob,
        body: { body: 'traced' },
        headers: { 'x-correlation-id': correlationId },
      });
      return response.status === 201 ? true : undefined;
    });
    await watcher.next((f) => f.type === 'comment.created');
    const line = await eventually(async () =>
      cloud.logs.find(
        (entry) =>
          entry.functionKey === 'connections.broadcast' &&
          entry.json?.correlation_id === correlationId &&
          entry.json?.topic === `post:${postId}`,
      ),
    );
    expect(line.json).toMatchObject({ message: 'Broadcast page sent', delivered: 1 });
    watcher.close();
  });

  /** A new post of alice's and `count` sockets subscribed to it. */
  const postWithSubscribers = async (count: number) => {
    const postId = await newPost('alice');
    const sockets: TestSocket[] = [];
    for (let i = 0; i < count; i++) {
      const socket = await TestSocket.open(cloud().urls.websocket);
      await socket.request({ action: 'subscribe', topic: `post:${postId}` });
      sockets.push(socket);
    }
    return { postId, sockets: sockets as [TestSocket, TestSocket] };
  };

  it('stops delivery after unsubscribe', async () => {
    const {
      postId,
      sockets: [stays, leaves],
    } = await postWithSubscribers(2);
    expect(await leaves.request({ action: 'unsubscribe', topic: `post:${postId}` })).toMatchObject({
      type: 'unsubscribed',
    });
    await comment(postId, 'bob', 'only for those who stayed');
    await stays.next((f) => f.type === 'comment.created');
    // The same broadcast reached `stays`; give a straggler frame time to arrive anyway.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leaves.frames.filter((f) => f.type === 'comment.created')).toEqual([]);
    stays.close();
    leaves.close();
  });

  it('prunes an abruptly dropped client without holding up the others', async () => {
    const {
      postId,
      sockets: [dropped, healthy],
    } = await postWithSubscribers(2);
    const before = (await request<{ connections: number }>('GET', '/api/v1/websocket/connections')).body
      .connections;
    dropped.drop();

    await comment(postId, 'bob', 'are you still there?');
    expect(await healthy.next((f) => f.type === 'comment.created')).toMatchObject({
      topic: `post:${postId}`,
    });
    await eventually(async () => {
      const now = (await request<{ connections: number }>('GET', '/api/v1/websocket/connections')).body
        .connections;
      return now < before ? now : undefined;
    });
    healthy.close();
  });

  it('closes a connection whose $disconnect never ran once API Gateway’s 2 hours are over', async () => {
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: cloud().urls.edge,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    );
    const tables = {
      connections: 'local-websocket-connections',
      subscriptions: 'local-websocket-subscriptions',
    };
    const store = buildConnectionsTable({ client: documents, tables });
    const live = await TestSocket.open(cloud().urls.websocket);
    await live.request({ action: 'subscribe', topic: 'feed' });
    // What $connect and subscribe wrote for a connection opened 2 h 10 min ago, whose $disconnect was lost.
    const openedAt = Date.now() - 130 * 60_000;
    const stale = 'stale-connection=';
    await store.open({
      connectionId: stale,
      connectedAt: new Date(openedAt).toISOString(),
      connectedHour: connectedHourOf(openedAt, stale),
      expiresAt: connectionExpiresAt(openedAt),
    });
    await documents.send(
      new PutCommand({
        TableName: tables.subscriptions,
        Item: { topic: 'feed', connectionId: stale, subscribedAt: new Date(openedAt).toISOString() },
      }),
    );
    const count = async () =>
      (await request<{ connections: number }>('GET', '/api/v1/websocket/connections')).body.connections;
    // The count is shared with the earlier tests, whose sockets' $disconnect may still be
    // running: measure once it has stopped moving.
    const before = await eventually(async () => {
      const first = await count();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return (await count()) === first ? first : undefined;
    });

    const outcome = await cloud().invoke('connections.sweepConnections', {
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      detail: {},
    });

    expect(outcome).toMatchObject({ ok: true });
    expect(await count()).toBe(before - 1);
    expect(
      (await documents.send(new GetCommand({ TableName: tables.connections, Key: { connectionId: stale } })))
        .Item,
    ).toBeUndefined();
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: tables.subscriptions,
        IndexName: 'byConnection',
        KeyConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': stale },
      }),
    );
    expect(Items).toEqual([]);
    // The connection opened a moment ago is left alone.
    expect(await live.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    live.close();
    documents.destroy();
  });

  it('answers bad frames with error frames and keeps the connection open', async () => {
    const socket = await TestSocket.open(cloud().urls.websocket);
    socket.send('this is not json');
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({
      type: 'error',
      code: expect.any(String),
    });
    expect(await socket.request({ action: 'dance' })).toMatchObject({ type: 'error' });
    expect(await socket.request({ action: 'subscribe', topic: 'weather' })).toMatchObject({ type: 'error' });
    expect(await socket.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    expect(socket.closed).toBeUndefined();
    socket.close();
  });
});
