import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { createIamRegistry, type IamRegistry, manageConnectionsRequest } from '../iam';
import type { LambdaInvoker } from '../lambda/invoker';
import { createStageThrottles, type TokenBucket } from '../limits';
import type { Topology, WebSocketApiDef } from '../topology/model';
import { createFrameGuard } from './frame-guard';
import { clientIp, readBody, sendJson, splitUrl } from './http-io';
import { awsId, requestTime, traceHeader } from './ids';
import { invokeWithin, TIMED_OUT } from './invoke';
import { closeServer, listen, urlHost } from './listen';
import {
  buildConnectEvent,
  buildDisconnectEvent,
  buildMessageEvent,
  type ConnectionFacts,
  type RequestStamp,
  selectRouteKey,
  type WebSocketApiFacts,
} from './websocket-events';

/**
 * The local API Gateway WebSocket API: `$connect` decides the handshake,
 * frames are routed by the route selection expression (else `$default`),
 * `$disconnect` follows every close, and the `@connections` management API
 * (POST/GET/DELETE, with or without the stage prefix) is served on the same
 * port. API Gateway's limits apply: 10 min idle, 2 h per connection, 32 KB
 * frames, 128 KB messages; the account's throttle (shared with the HTTP APIs)
 * for client messages and `@connections` calls, and a rate of new connections.
 *
 * A route's return value is not sent to the client: AWS sends it only when a
 * route response is configured, which serverless `websocket` events do not do.
 */

export interface WebSocketGatewayOptions {
  /**
   * Who may call `@connections` (SigV4) and what (execute-api:ManageConnections
   * in the function's role). Default: a registry that knows only the account admin `test` / `test`.
   */
  iam?: IamRegistry;
  port: number;
  host?: string;
  topology: Topology;
  invoker: LambdaInvoker;
  /** The stage in events and the management path; default the API's own stage. */
  stage?: string;
  /** Which WebSocket API to serve; default the topology's first. */
  api?: WebSocketApiDef;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  maxFrameBytes?: number;
  maxMessageBytes?: number;
  /** API Gateway's integration timeout (29 s). */
  integrationTimeoutMs?: number;
  /** Named in the port-in-use error. Default `LC_WS_PORT`. */
  portVariable?: string;
  /**
   * The account's throttle, shared with the HTTP APIs. A client message without
   * a token is not routed: the client gets the error frame `Too Many Requests`.
   * A `@connections` call without one gets 429 LimitExceededException.
   */
  throttle?: TokenBucket;
  /** New connections: a handshake without a token is refused with 429 before `$connect` runs. */
  connectionThrottle?: TokenBucket;
  /** The clock of the stage's throttling bucket (ms, monotonic); tests pass their own. */
  now?: () => number;
  /** Fault injection: an answer `@connections` gives instead of serving a call. */
  connectionsFault?: () => ManagementFault | undefined;
  /** `GET /health` on this port (local only, the seed's probe); default: the open connections. */
  health?: () => Promise<{ status: number; body: unknown }>;
}

/** An error answer of the `@connections` API. */
export interface ManagementFault {
  status: number;
  /** `x-amzn-ErrorType`, which SDK clients turn into the error's name. */
  errorType: string;
  message: string;
}

export interface WebSocketGatewayMetrics {
  /** Client messages not routed for want of a token (answered with an error frame). */
  throttledMessages: number;
  /** Client messages not routed, and handshakes refused with 429, by the stage's throttling. */
  stageThrottled: number;
  /** `@connections` calls answered 429 LimitExceededException by the throttle. */
  throttledConnectionsCalls: number;
  /** Handshakes refused with 429 by the new-connections rate. */
  refusedConnections: number;
  /** `@connections` calls answered with an injected fault. */
  injectedConnectionsFaults: number;
  /** Frames sent to clients: `@connections` POSTs delivered and the gateway's own replies. */
  framesSent: number;
  /** Messages received from clients. */
  messagesReceived: number;
}

export interface WebSocketConnectionInfo {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export interface WebSocketGateway {
  /** `ws://127.0.0.1:3001` */
  url: string;
  /** The `@connections` endpoint as an SDK client wants it: `http://127.0.0.1:3001/<stage>`. */
  managementEndpoint: string;
  port: number;
  /** Open connections by id. */
  connections: ReadonlyMap<string, WebSocketConnectionInfo>;
  metrics(): WebSocketGatewayMetrics;
  resetMetrics(): void;
  stop(): Promise<void>;
}

interface Connection extends ConnectionFacts {
  lastActiveAt: number;
  socket: WebSocket;
  /** Set when the gateway closes the connection, so $disconnect tells why. */
  closeCause?: { statusCode: number; reason: string };
}

const DEFAULT_IDLE_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_CONNECTION_MS = 7_200_000;
const DEFAULT_MAX_FRAME_BYTES = 32 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;
const STOP_GRACE_MS = 500;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The handshake status a $connect result asks for (no statusCode means accepted), and a chosen subprotocol. */
const connectDecision = (result: unknown): { status: number; protocol?: string } => {
  if (!isRecord(result)) return { status: 200 };
  const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
  let protocol: string | undefined;
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') protocol = value;
    }
  }
  return protocol ? { status, protocol } : { status };
};

const rejectUpgrade = (socket: Duplex, status: number) => {
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
};

const stampNow = (): RequestStamp => {
  const now = Date.now();
  return { requestId: awsId(), requestTime: requestTime(now), requestTimeEpoch: now };
};

const toText = (data: RawData): string =>
  Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data).toString('utf8');

const decodeId = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

const CONNECTIONS_PATH = '/@connections/';

/** Every counter at zero: a gateway's figures before its first message (and after a reset). */
export const noWebSocketMetrics = (): WebSocketGatewayMetrics => ({
  throttledMessages: 0,
  stageThrottled: 0,
  throttledConnectionsCalls: 0,
  refusedConnections: 0,
  injectedConnectionsFaults: 0,
  framesSent: 0,
  messagesReceived: 0,
});

export const startWebSocketGateway = async (options: WebSocketGatewayOptions): Promise<WebSocketGateway> => {
  const { invoker } = options;
  const host = options.host ?? '127.0.0.1';
  const api = options.api ?? options.topology.webSocketApis[0];
  const apiFacts: WebSocketApiFacts = {
    apiId: api?.apiId ?? 'local-websocket',
    stage: options.stage ?? api?.stage ?? options.topology.stage,
  };
  const routeSelectionExpression = api?.routeSelectionExpression ?? '$request.body.action';
  const routes = new Map((api?.routes ?? []).map((route) => [route.route, route.functionKey]));
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnectionMs = options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;

  const { throttle, connectionThrottle, connectionsFault } = options;
  const iam =
    options.iam ??
    createIamRegistry({ region: options.topology.region, accountId: options.topology.accountId });
  // The stage's default route throttling covers every route, $connect included; checked before the account's.
  const stageThrottle = api ? createStageThrottles([api], options.now).get(api.apiId) : undefined;
  let counters = noWebSocketMetrics();

  const connections = new Map<string, Connection>();
  const pendingHandshakes = new Set<Duplex>();
  const chosenProtocols = new WeakMap<IncomingMessage, string>();
  let stopping = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // Only a subprotocol $connect chose is echoed, as in AWS; ws would otherwise pick the client's first.
    handleProtocols: (_offered, req) => chosenProtocols.get(req) ?? false,
  });

  /** Closes with `statusCode` and `reason` on the wire; `$disconnect` is told `disconnectReason` (default the same). */
  const closeWith = (
    connection: Connection,
    statusCode: number,
    reason: string,
    disconnectReason = reason,
  ) => {
    if (connection.closeCause) return;
    connection.closeCause = { statusCode, reason: disconnectReason };
    connection.socket.close(statusCode, reason);
  };

  const sendFrame = (connection: Connection, data: string | Buffer) => {
    connection.lastActiveAt = Date.now();
    connection.socket.send(data, { binary: false });
    counters.framesSent += 1;
  };

  const onMessage = (connection: Connection, data: RawData) => {
    connection.lastActiveAt = Date.now();
    counters.messagesReceived += 1;
    if (connection.closeCause) return;
    const stamp = stampNow();
    const reply = (message: string) => {
      if (connection.socket.readyState !== connection.socket.OPEN) return;
      sendFrame(
        connection,
        JSON.stringify({ message, connectionId: connection.connectionId, requestId: stamp.requestId }),
      );
    };
    if (stageThrottle && !stageThrottle.take()) {
      counters.stageThrottled += 1;
      reply('Too Many Requests');
      return;
    }
    if (throttle && !throttle.take()) {
      counters.throttledMessages += 1;
      reply('Too Many Requests');
      return;
    }
    const body = toText(data);
    const selected = selectRouteKey(routeSelectionExpression, body);
    const custom = selected !== undefined && !selected.startsWith('$') ? routes.get(selected) : undefined;
    const routeKey = custom ? (selected as string) : '$default';
    const functionKey = custom ?? routes.get('$default');
    if (!functionKey) {
      reply('Forbidden');
      return;
    }
    const event = buildMessageEvent(apiFacts, connection, stamp, { routeKey, messageId: awsId(), body });
    void invokeWithin(invoker, functionKey, event, integrationTimeoutMs).then((outcome) => {
      if (outcome === TIMED_OUT) reply('Endpoint request timed out');
      else if (!outcome.ok) reply('Internal server error');
    });
  };

  const onClose = (connection: Connection, code: number, reason: Buffer) => {
    connections.delete(connection.connectionId);
    if (stopping) return;
    const functionKey = routes.get('$disconnect');
    if (!functionKey) return;
    const cause = connection.closeCause ?? { statusCode: code, reason: reason.toString('utf8') };
    const event = buildDisconnectEvent(apiFacts, connection, stampNow(), cause);
    // $disconnect is best effort in AWS too: its outcome changes nothing.
    void invokeWithin(invoker, functionKey, event, integrationTimeoutMs);
  };

  const open = (socket: WebSocket, raw: Duplex, facts: ConnectionFacts) => {
    const connection: Connection = { ...facts, lastActiveAt: Date.now(), socket };
    connections.set(facts.connectionId, connection);
    const tooBig = createFrameGuard(maxFrameBytes);
    // Ahead of ws's own listener, so an oversized frame is refused before ws buffers it.
    raw.prependListener('data', (chunk: Buffer) => {
      if (!connection.closeCause && tooBig(chunk)) closeWith(connection, 1009, 'Message too big');
    });
    socket.on('message', (data) => onMessage(connection, data));
    socket.on('ping', () => {
      connection.lastActiveAt = Date.now();
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has already sent the close frame (1009 for an oversized message); record why for $disconnect.
      connection.closeCause ??=
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? { statusCode: 1009, reason: 'Message too big' }
          : { statusCode: 1002, reason: 'Protocol error' };
    });
    socket.on('close', (code, reason) => onClose(connection, code, reason));
  };

  const handshake = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const now = Date.now();
    const facts: ConnectionFacts = {
      connectionId: awsId(),
      connectedAt: now,
      sourceIp: clientIp(req.socket.remoteAddress),
      userAgent: req.headers['user-agent'] ?? '',
      domainName: req.headers.host ?? `${host}:${port}`,
    };
    let decision: { status: number; protocol?: string } = { status: 200 };
    const functionKey = routes.get('$connect');
    if (functionKey) {
      const event = buildConnectEvent(
        apiFacts,
        facts,
        { requestId: awsId(), requestTime: requestTime(now), requestTimeEpoch: now },
        { rawHeaders: req.rawHeaders, rawQuery: splitUrl(req.url).query, traceHeader: traceHeader(now) },
      );
      const outcome = await invokeWithin(invoker, functionKey, event, integrationTimeoutMs);
      decision =
        outcome === TIMED_OUT
          ? { status: 504 }
          : outcome.ok
            ? connectDecision(outcome.result)
            : { status: 500 };
    }
    pendingHandshakes.delete(socket);
    if (socket.destroyed || stopping) {
      socket.destroy();
      return;
    }
    if (decision.status < 200 || decision.status > 299) {
      rejectUpgrade(socket, decision.status);
      return;
    }
    if (decision.protocol) chosenProtocols.set(req, decision.protocol);
    wss.handleUpgrade(req, socket, head, (ws) => open(ws, socket, facts));
  };

  const awsError = (res: ServerResponse, status: number, type: string, message: string | null) =>
    sendJson(res, status, { message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': awsId() });

  const manage = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health') {
      req.resume();
      const { status, body } = options.health
        ? await options.health()
        : { status: 200, body: { status: 'healthy', connections: connections.size } };
      sendJson(res, status, body);
      return;
    }
    if (throttle && !throttle.take()) {
      req.resume();
      counters.throttledConnectionsCalls += 1;
      awsError(res, 429, 'LimitExceededException', 'Rate exceeded');
      return;
    }
    const fault = connectionsFault?.();
    if (fault) {
      req.resume();
      counters.injectedConnectionsFaults += 1;
      awsError(res, fault.status, fault.errorType, fault.message);
      return;
    }
    const { path } = splitUrl(req.url);
    const at = path.indexOf(CONNECTIONS_PATH);
    // `/@connections/{id}` or `/{stage}/@connections/{id}` (SDK clients put the stage first).
    if (at === -1 || (at > 0 && path.lastIndexOf('/', at - 1) !== 0)) {
      req.resume();
      awsError(res, 403, 'ForbiddenException', 'Forbidden');
      return;
    }
    const connectionId = decodeId(path.slice(at + CONNECTIONS_PATH.length));
    let body: Buffer = Buffer.alloc(0);
    if (req.method === 'POST') {
      const read = await readBody(req, maxMessageBytes);
      if (!read.ok) {
        awsError(res, 413, 'PayloadTooLargeException', 'Message too long');
        return;
      }
      body = read.body;
    } else {
      req.resume();
    }
    // IAM authorization, as AWS's management API requires: signed, and execute-api:ManageConnections.
    const verified = await iam.verify({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
    });
    if (!verified.ok) {
      awsError(res, 403, 'ForbiddenException', verified.message);
      return;
    }
    const refused = iam.authorize(verified.identity, [
      manageConnectionsRequest(iam, {
        apiId: apiFacts.apiId,
        stage: apiFacts.stage,
        method: req.method ?? 'GET',
        connectionId,
      }),
    ]);
    if (refused) {
      awsError(res, 403, 'ForbiddenException', iam.message(refused, { withReason: false }));
      return;
    }
    const connection = connections.get(connectionId);
    const open =
      connection && !connection.closeCause && connection.socket.readyState === connection.socket.OPEN;
    switch (req.method) {
      case 'POST': {
        if (!connection || !open) {
          awsError(res, 410, 'GoneException', null);
          return;
        }
        sendFrame(connection, body);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': 0,
          'x-amzn-requestid': awsId(),
        });
        res.end();
        return;
      }
      case 'GET':
        if (!connection || !open) {
          awsError(res, 410, 'GoneException', null);
          return;
        }
        sendJson(
          res,
          200,
          // The wire names (the SDK's jsonName traits); the SDK turns them into ConnectedAt, Identity, ...
          {
            connectedAt: new Date(connection.connectedAt).toISOString(),
            identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
            lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
          },
          { 'x-amzn-requestid': awsId() },
        );
        return;
      case 'DELETE':
        if (!connection || !open) {
          awsError(res, 410, 'GoneException', null);
          return;
        }
        // As API Gateway does: 1000 whatever the backend's reason (DeleteConnection takes no code),
        // and $disconnect says "Connection Closed Normally" (local-cloud/src/edge/README.md).
        closeWith(connection, 1000, '', 'Connection Closed Normally');
        res.writeHead(204, { 'x-amzn-requestid': awsId() });
        res.end();
        return;
      default:
        awsError(res, 403, 'ForbiddenException', 'Forbidden');
    }
  };

  const server = createServer((req, res) => {
    manage(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else awsError(res, 500, 'InternalServerErrorException', 'Internal server error');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (stopping) {
      rejectUpgrade(socket, 503);
      return;
    }
    if (stageThrottle && !stageThrottle.take()) {
      counters.stageThrottled += 1;
      rejectUpgrade(socket, 429);
      return;
    }
    if (connectionThrottle && !connectionThrottle.take()) {
      counters.refusedConnections += 1;
      rejectUpgrade(socket, 429);
      return;
    }
    pendingHandshakes.add(socket);
    handshake(req, socket, head).catch(() => {
      pendingHandshakes.delete(socket);
      if (!socket.destroyed) rejectUpgrade(socket, 500);
    });
  });

  // One sweep for every connection instead of a timer each: cheap with thousands of sockets.
  const sweepMs = Math.max(20, Math.min(1000, Math.floor(Math.min(idleTimeoutMs, maxConnectionMs) / 4)));
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of connections.values()) {
      if (connection.closeCause) continue;
      if (now - connection.lastActiveAt >= idleTimeoutMs || now - connection.connectedAt >= maxConnectionMs) {
        closeWith(connection, 1001, 'Going away');
      }
    }
  }, sweepMs);
  sweeper.unref();

  const port = await listen(
    server,
    options.port,
    host,
    'WebSocket API',
    options.portVariable ?? 'LC_WS_PORT',
  );

  const stop = async () => {
    stopping = true;
    clearInterval(sweeper);
    for (const socket of pendingHandshakes) socket.destroy();
    pendingHandshakes.clear();
    const open = [...connections.values()];
    for (const connection of open) closeWith(connection, 1001, 'Going away');
    if (open.length > 0) {
      // Give clients a moment to answer the close frame, then cut whatever is left.
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, STOP_GRACE_MS);
        const check = setInterval(() => {
          if (connections.size === 0) {
            clearTimeout(deadline);
            clearInterval(check);
            resolve();
          }
        }, 10);
        deadline.unref();
        setTimeout(() => clearInterval(check), STOP_GRACE_MS + 10).unref();
      });
      for (const connection of connections.values()) connection.socket.terminate();
      connections.clear();
    }
    wss.close();
    await closeServer(server);
  };

  return {
    url: `ws://${urlHost(host)}:${port}`,
    managementEndpoint: `http://${urlHost(host)}:${port}/${apiFacts.stage}`,
    port,
    connections,
    metrics: () => ({ ...counters }),
    resetMetrics() {
      counters = noWebSocketMetrics();
    },
    stop,
  };
};
