import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { recordedEvent } from '@live-comments/shared/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTokenBucket } from '../limits';
import { type FakeBehaviour, type FakeInvoker, fakeInvoker, keysOf, topologyWith } from '../testing';
import type { WebSocketApiDef } from '../topology/model';
import { createFrameGuard } from './frame-guard';
import type { WebSocketEvent } from './websocket-events';
import {
  startWebSocketGateway,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
} from './websocket-gateway';

/** A recorded event, loosely typed for comparing its keys with ours. */
type Recording = Record<string, Record<string, unknown>>;

const API: WebSocketApiDef = {
  apiId: 'wsApi',
  stack: 'live-comments-connections',
  stage: 'local',
  routeSelectionExpression: '$request.body.action',
  routes: [
    { route: '$connect', functionKey: 'connections.connect' },
    { route: '$disconnect', functionKey: 'connections.disconnect' },
    { route: 'subscribe', functionKey: 'connections.subscribe' },
    { route: '$default', functionKey: 'connections.default' },
  ],
};

const waitFor = async <T>(probe: () => T | undefined, timeoutMs = 2000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

interface Client {
  socket: WebSocket;
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
}

const connect = (url: string, options: WebSocket.ClientOptions = {}): Promise<Client> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(data.toString()));
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.once('open', () => resolve({ socket, frames, closed }));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake ${res.statusCode}`)));
    socket.once('error', reject);
  });

const events = (invoker: FakeInvoker, functionKey: string) =>
  invoker.calls
    .filter((call) => call.functionKey === functionKey)
    .map((call) => call.event as WebSocketEvent);

/** A `@connections` POST without the SDK (so no retries): what the gateway itself answers. */
const sendWithoutSdk = (endpoint: string, connectionId: string, body: string) =>
  fetch(`${endpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', body });

describe('startWebSocketGateway', () => {
  let gateway: WebSocketGateway | undefined;
  const clients: WebSocket[] = [];

  const start = async (
    behaviours: Record<string, FakeBehaviour> = {},
    options: Partial<WebSocketGatewayOptions> = {},
  ) => {
    const invoker = fakeInvoker(behaviours);
    gateway = await startWebSocketGateway({
      port: 0,
      topology: topologyWith({ webSocketApis: [API] }),
      invoker,
      ...options,
    });
    return { gateway, invoker };
  };

  const open = async (path = '/', options: WebSocket.ClientOptions = {}) => {
    if (!gateway) throw new Error('start the gateway first');
    const client = await connect(`${gateway.url}${path}`, options);
    clients.push(client.socket);
    return client;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await gateway?.stop();
    gateway = undefined;
  });

  it('runs $connect before the handshake with the recorded event fields', async () => {
    const { gateway, invoker } = await start();
    await open('/?token=abc&x=1&x=2', {
      headers: { Origin: 'http://localhost:3000', 'User-Agent': 'tester' },
    });
    const [event] = events(invoker, 'connections.connect');
    if (!event) throw new Error('no $connect event');
    const recorded = recordedEvent<Recording>('apigw-websocket-request');
    // The recording mixes in REST API fields ($connect events carry no resource, path, body, ...): ours are a subset.
    expect(keysOf(event).filter((key) => !keysOf(recorded).includes(key))).toEqual([]);
    expect(keysOf(event)).toEqual([
      'headers',
      'isBase64Encoded',
      'multiValueHeaders',
      'multiValueQueryStringParameters',
      'queryStringParameters',
      'requestContext',
    ]);
    expect(keysOf(event.requestContext)).toEqual(
      keysOf(recordedEvent<Recording>('apigw-websocket-request-send-message').requestContext)
        .filter((key) => key !== 'messageId')
        .concat()
        .sort(),
    );
    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      apiId: 'wsApi',
      identity: { userAgent: 'tester', sourceIp: '127.0.0.1' },
    });
    expect(event.requestContext.connectionId).toMatch(/^[\w-]{15}=$/);
    expect(event.headers?.Origin).toBe('http://localhost:3000');
    expect(event.multiValueHeaders?.Origin).toEqual(['http://localhost:3000']);
    expect(event.queryStringParameters).toEqual({ token: 'abc', x: '2' });
    expect(event.multiValueQueryStringParameters).toEqual({ token: ['abc'], x: ['1', '2'] });
    expect(event.isBase64Encoded).toBe(false);
    expect([...gateway.connections.keys()]).toEqual([event.requestContext.connectionId]);
  });

  it('turns the handshake away with the status $connect returns', async () => {
    const { gateway, invoker } = await start({ 'connections.connect': () => ({ statusCode: 401 }) });
    await expect(connect(gateway.url)).rejects.toThrow('handshake 401');
    expect(gateway.connections.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events(invoker, 'connections.disconnect')).toHaveLength(0);
  });

  it('turns the handshake away with 500 when $connect fails', async () => {
    const { gateway } = await start({
      'connections.connect': () => {
        throw new Error('boom');
      },
    });
    await expect(connect(gateway.url)).rejects.toThrow('handshake 500');
  });

  it('routes frames by action, else to $default', async () => {
    const { invoker, gateway } = await start();
    const client = await open();
    client.socket.send(JSON.stringify({ action: 'subscribe', topic: 'feed' }));
    client.socket.send(JSON.stringify({ action: 'dance' }));
    client.socket.send('not json');
    await waitFor(() => invoker.calls.length >= 4);
    const [subscribe] = events(invoker, 'connections.subscribe');
    expect(subscribe?.body).toBe('{"action":"subscribe","topic":"feed"}');
    expect(subscribe?.requestContext.routeKey).toBe('subscribe');
    expect(
      events(invoker, 'connections.default').map((event) => [event.requestContext.routeKey, event.body]),
    ).toEqual([
      ['$default', '{"action":"dance"}'],
      ['$default', 'not json'],
    ]);
    const recorded = recordedEvent<Recording>('apigw-websocket-request-send-message');
    expect(keysOf(subscribe)).toEqual(keysOf(recorded));
    expect(keysOf(subscribe?.requestContext)).toEqual(keysOf(recorded.requestContext));
    expect(subscribe?.requestContext).toMatchObject({ eventType: 'MESSAGE', messageDirection: 'IN' });
    expect(gateway.metrics().messagesReceived).toBe(3);
  });

  it('sends API Gateway’s Forbidden frame when no route and no $default match', async () => {
    const withoutDefault = { ...API, routes: API.routes.filter((route) => route.route !== '$default') };
    await start({}, { api: withoutDefault });
    const client = await open();
    client.socket.send('{"action":"dance"}');
    const [frame] = await waitFor(() => (client.frames.length > 0 ? client.frames : undefined));
    expect(JSON.parse(frame ?? '')).toEqual({
      message: 'Forbidden',
      connectionId: expect.stringMatching(/=$/),
      requestId: expect.stringMatching(/=$/),
    });
  });

  it('sends an error frame when the route function fails, and does not send its return value', async () => {
    await start({
      'connections.subscribe': () => {
        throw new Error('boom');
      },
      'connections.default': () => ({ statusCode: 200, body: 'route response' }),
    });
    const client = await open();
    client.socket.send('{"action":"subscribe"}');
    client.socket.send('hello');
    await waitFor(() => client.frames.length > 0 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.frames.map((frame) => JSON.parse(frame).message)).toEqual(['Internal server error']);
  });

  it('runs $disconnect after a client close with its status and reason', async () => {
    const { gateway, invoker } = await start();
    const client = await open();
    client.socket.close(1000, 'bye');
    const [event] = await waitFor(() => {
      const found = events(invoker, 'connections.disconnect');
      return found.length > 0 ? found : undefined;
    });
    const recorded = recordedEvent<Recording>('apigw-websocket-request-disconnect');
    expect(keysOf(event)).toEqual(keysOf(recorded));
    expect(keysOf(event?.requestContext)).toEqual(keysOf(recorded.requestContext));
    expect(keysOf(event?.headers)).toEqual(keysOf(recorded.headers));
    expect(event?.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
    });
    expect(gateway.connections.size).toBe(0);
  });

  it('closes with 1009 on a frame over 32 KB', async () => {
    const { invoker } = await start();
    const client = await open();
    client.socket.send('x'.repeat(33 * 1024));
    expect((await client.closed).code).toBe(1009);
    await waitFor(() => events(invoker, 'connections.disconnect').length > 0 || undefined);
    expect(events(invoker, 'connections.default')).toHaveLength(0);
    expect(events(invoker, 'connections.disconnect')[0]?.requestContext.disconnectStatusCode).toBe(1009);
  });

  it('accepts a 120 KB message in 30 KB frames and closes with 1009 past 128 KB', async () => {
    const { invoker } = await start();
    const client = await open();
    const part = 'y'.repeat(30 * 1024);
    for (let i = 0; i < 4; i++) client.socket.send(part, { fin: i === 3 });
    await waitFor(() => events(invoker, 'connections.default').length > 0 || undefined);
    expect(events(invoker, 'connections.default')[0]?.body).toHaveLength(120 * 1024);
    for (let i = 0; i < 5; i++) client.socket.send(part, { fin: i === 4 });
    expect((await client.closed).code).toBe(1009);
  });

  it('closes an idle connection with 1001 Going away', async () => {
    const { invoker } = await start({}, { idleTimeoutMs: 100 });
    const client = await open();
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    await waitFor(() => events(invoker, 'connections.disconnect').length > 0 || undefined);
    expect(events(invoker, 'connections.disconnect')[0]?.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('closes a connection at the lifetime cap even when busy', async () => {
    await start({}, { maxConnectionMs: 200 });
    const client = await open();
    const chatter = setInterval(() => client.socket.send('{"action":"ping"}'), 20);
    try {
      expect((await client.closed).code).toBe(1001);
    } finally {
      clearInterval(chatter);
    }
  });

  it('echoes only the subprotocol $connect chose', async () => {
    await start({
      'connections.connect': () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'b' } }),
    });
    const plain = await open();
    expect(plain.socket.protocol).toBe('');
    if (!gateway) throw new Error('no gateway');
    const chosen = new WebSocket(gateway.url, ['a', 'b']);
    clients.push(chosen);
    await new Promise((resolve, reject) => {
      chosen.once('open', resolve);
      chosen.once('error', reject);
    });
    expect(chosen.protocol).toBe('b');
  });

  it('does not route a client message without a token: the client gets an error frame', async () => {
    let clock = 0;
    const { invoker } = await start(
      {},
      {
        throttle: createTokenBucket({ ratePerSecond: 1, burst: 1, now: () => clock }),
      },
    );
    const client = await open();
    client.socket.send('{"action":"subscribe","n":1}');
    client.socket.send('{"action":"subscribe","n":2}');
    await waitFor(() => client.frames.length > 0 || undefined);
    await waitFor(() => events(invoker, 'connections.subscribe').length > 0 || undefined);
    expect(events(invoker, 'connections.subscribe').map((event) => event.body)).toEqual([
      '{"action":"subscribe","n":1}',
    ]);
    expect(JSON.parse(client.frames[0] ?? '{}')).toEqual({
      message: 'Too Many Requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
    expect(gateway?.metrics()).toMatchObject({ throttledMessages: 1 });
    clock += 1000;
    client.socket.send('{"action":"subscribe","n":3}');
    await waitFor(() => events(invoker, 'connections.subscribe').length === 2 || undefined);
  });

  it('refuses a handshake beyond the new-connections rate with 429, before $connect', async () => {
    let clock = 0;
    const { invoker } = await start(
      {},
      {
        connectionThrottle: createTokenBucket({ ratePerSecond: 1, burst: 1, now: () => clock }),
      },
    );
    await open();
    await expect(open()).rejects.toThrow('handshake 429');
    expect(events(invoker, 'connections.connect')).toHaveLength(1);
    expect(gateway?.metrics()).toMatchObject({ refusedConnections: 1 });
    clock += 1000;
    await open();
  });

  it('says which port is taken', async () => {
    const { gateway } = await start();
    await expect(
      startWebSocketGateway({ port: gateway.port, topology: topologyWith({}), invoker: fakeInvoker() }),
    ).rejects.toThrow(
      `Port ${gateway.port} is in use (WebSocket API). Set LC_WS_PORT=... or stop the other process.`,
    );
  });

  describe('@connections', () => {
    const management = (endpoint: string, maxAttempts?: number) =>
      new ApiGatewayManagementApiClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        ...(maxAttempts ? { maxAttempts } : {}),
      });

    it('posts, describes and deletes connections through the AWS SDK', async () => {
      const { gateway, invoker } = await start();
      const client = await open('/', { headers: { 'User-Agent': 'tester' } });
      const connectionId = await waitFor(() => [...gateway.connections.keys()][0]);
      const sdk = management(gateway.managementEndpoint);

      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"pong"}' }));
      await waitFor(() => client.frames.length > 0 || undefined);
      expect(client.frames).toEqual(['{"type":"pong"}']);
      expect(gateway.metrics()).toMatchObject({ framesSent: 1, messagesReceived: 0 });

      const described = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      expect(described.ConnectedAt).toBeInstanceOf(Date);
      expect(described.LastActiveAt).toBeInstanceOf(Date);
      expect(described.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'tester' });

      await sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      expect((await client.closed).code).toBe(1000);
      await waitFor(() => events(invoker, 'connections.disconnect').length > 0 || undefined);
      expect(events(invoker, 'connections.disconnect')[0]?.requestContext).toMatchObject({
        disconnectStatusCode: 1000,
        disconnectReason: 'Connection Closed Normally',
      });
      await expect(
        sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })),
      ).rejects.toBeInstanceOf(GoneException);
    });

    it('answers 410 GoneException for an unknown connection', async () => {
      const { gateway } = await start();
      const sdk = management(gateway.managementEndpoint);
      await expect(sdk.send(new GetConnectionCommand({ ConnectionId: 'nope+/=' }))).rejects.toBeInstanceOf(
        GoneException,
      );
      const raw = await fetch(`http://127.0.0.1:${gateway.port}/@connections/nope`, {
        method: 'POST',
        body: 'x',
      });
      expect(raw.status).toBe(410);
      expect(raw.headers.get('x-amzn-errortype')).toBe('GoneException');
    });

    it('answers 413 PayloadTooLargeException past 128 KB', async () => {
      const { gateway } = await start();
      await open();
      const connectionId = await waitFor(() => [...gateway.connections.keys()][0]);
      const sdk = management(gateway.managementEndpoint);
      await expect(
        sdk.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'z'.repeat(128 * 1024 + 1) }),
        ),
      ).rejects.toBeInstanceOf(PayloadTooLargeException);
    });

    it('answers 429 LimitExceededException once the account bucket is empty, as the SDK names it', async () => {
      let clock = 0;
      const { gateway } = await start(
        {},
        {
          throttle: createTokenBucket({ ratePerSecond: 1, burst: 2, now: () => clock }),
        },
      );
      const client = await open();
      const connectionId = await waitFor(() => [...gateway.connections.keys()][0]);
      // One attempt: the SDK would retry a throttled call on its own.
      const sdk = management(gateway.managementEndpoint, 1);
      const post = () => sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' }));
      await post();
      await post();
      const error = await post().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LimitExceededException);
      expect(error).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      const raw = await sendWithoutSdk(gateway.managementEndpoint, connectionId, 'y');
      expect(raw.status).toBe(429);
      expect(raw.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
      expect(await raw.json()).toEqual({ message: 'Rate exceeded' });
      clock += 1000;
      await post();
      await waitFor(() => client.frames.length === 3 || undefined);
      expect(gateway.metrics()).toMatchObject({ throttledConnectionsCalls: 2 });
    });

    it('answers an injected fault instead of serving the call', async () => {
      let calls = 0;
      const { gateway } = await start(
        {},
        {
          connectionsFault: () =>
            ++calls % 2 === 0
              ? { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' }
              : undefined,
        },
      );
      const client = await open();
      const connectionId = await waitFor(() => [...gateway.connections.keys()][0]);
      const sdk = management(gateway.managementEndpoint);
      const post = (data: string) =>
        sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      // The SDK retries a 500 on its own (three attempts): every other call fails, so a retry passes.
      await post('a');
      const direct = await sendWithoutSdk(gateway.managementEndpoint, connectionId, 'b');
      expect(direct.status).toBe(500);
      expect(direct.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
      await waitFor(() => client.frames.length >= 1 || undefined);
      expect(client.frames).toEqual(['a']);
      expect(gateway.metrics().injectedConnectionsFaults).toBeGreaterThanOrEqual(1);
    });

    it('serves the path without the stage prefix too', async () => {
      const { gateway } = await start();
      const client = await open();
      const connectionId = await waitFor(() => [...gateway.connections.keys()][0]);
      const response = await fetch(
        `http://127.0.0.1:${gateway.port}/@connections/${encodeURIComponent(connectionId)}`,
        {
          method: 'POST',
          body: 'hello',
        },
      );
      expect(response.status).toBe(200);
      await waitFor(() => client.frames.length > 0 || undefined);
      expect(client.frames).toEqual(['hello']);
    });
  });
});

describe('createFrameGuard', () => {
  const frameHeader = (length: number) => {
    if (length < 126) return Buffer.from([0x81, 0x80 | length, 0, 0, 0, 0]);
    if (length < 65536) {
      const header = Buffer.from([0x81, 0x80 | 126, 0, 0, 0, 0, 0, 0]);
      header.writeUInt16BE(length, 2);
      return header;
    }
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
    return header;
  };

  it('lets frames up to the limit through, across chunk boundaries', () => {
    const guard = createFrameGuard(1000);
    const stream = Buffer.concat([frameHeader(1000), Buffer.alloc(1000), frameHeader(10), Buffer.alloc(10)]);
    for (let i = 0; i < stream.length; i += 7) expect(guard(stream.subarray(i, i + 7))).toBe(false);
  });

  it('reports a frame over the limit from its header alone', () => {
    const guard = createFrameGuard(1000);
    expect(guard(Buffer.concat([frameHeader(10), Buffer.alloc(10)]))).toBe(false);
    const big = frameHeader(70_000);
    expect(guard(big.subarray(0, 3))).toBe(false);
    expect(guard(big.subarray(3))).toBe(true);
  });
});
