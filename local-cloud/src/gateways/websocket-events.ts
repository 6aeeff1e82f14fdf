import { queryPairs } from './http-io';
/**
 * The events an API Gateway WebSocket API gives its Lambda integrations
 * ($connect, messages, $disconnect), field by field as AWS records them.
 */

export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  /** The Host header of the handshake. */
  domainName: string;
}

export interface WebSocketApiFacts {
  apiId: string;
  stage: string;
}

export interface WebSocketRequestContext {
  routeKey: string;
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  messageId?: string;
  disconnectStatusCode?: number;
  disconnectReason?: string;
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { userAgent: string; sourceIp: string };
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
}

export interface WebSocketEvent {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  requestContext: WebSocketRequestContext;
  body?: string;
  isBase64Encoded: false;
}

export interface RequestStamp {
  requestId: string;
  requestTime: string;
  requestTimeEpoch: number;
}

const context = (
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  stamp: RequestStamp,
  fields: Pick<WebSocketRequestContext, 'routeKey' | 'eventType'> & Partial<WebSocketRequestContext>,
): WebSocketRequestContext => ({
  ...fields,
  extendedRequestId: stamp.requestId,
  requestTime: stamp.requestTime,
  messageDirection: 'IN',
  stage: api.stage,
  connectedAt: connection.connectedAt,
  requestTimeEpoch: stamp.requestTimeEpoch,
  identity: { userAgent: connection.userAgent, sourceIp: connection.sourceIp },
  requestId: stamp.requestId,
  domainName: connection.domainName,
  connectionId: connection.connectionId,
  apiId: api.apiId,
});

/** Header names keep the client's case (unlike HTTP APIs); repeats are joined in `headers`, listed in `multiValueHeaders`. */
export const handshakeHeaders = (rawHeaders: string[]) => {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const existing = multiValueHeaders[name];
    if (existing) existing.push(value);
    else multiValueHeaders[name] = [value];
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) headers[name] = values.join(',');
  return { headers, multiValueHeaders };
};

export const handshakeQuery = (rawQuery: string) => {
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(rawQuery)) {
    const existing = multiValueQueryStringParameters[name];
    if (existing) existing.push(value);
    else multiValueQueryStringParameters[name] = [value];
  }
  const names = Object.keys(multiValueQueryStringParameters);
  if (names.length === 0) return undefined;
  const queryStringParameters: Record<string, string> = {};
  // API Gateway's single-value map keeps the last value of a repeated parameter.
  for (const name of names) queryStringParameters[name] = multiValueQueryStringParameters[name]?.at(-1) ?? '';
  return { queryStringParameters, multiValueQueryStringParameters };
};

export const buildConnectEvent = (
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  stamp: RequestStamp,
  request: { rawHeaders: string[]; rawQuery: string; traceHeader: string },
): WebSocketEvent => {
  const { headers, multiValueHeaders } = handshakeHeaders(request.rawHeaders);
  // API Gateway's front door adds these before the integration sees the handshake.
  const added: Record<string, string> = {
    'X-Amzn-Trace-Id': request.traceHeader,
    'X-Forwarded-For': connection.sourceIp,
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  for (const [name, value] of Object.entries(added)) {
    if (headers[name] === undefined) {
      headers[name] = value;
      multiValueHeaders[name] = [value];
    }
  }
  const query = handshakeQuery(request.rawQuery);
  return {
    headers,
    multiValueHeaders,
    ...(query ?? {}),
    requestContext: context(api, connection, stamp, { routeKey: '$connect', eventType: 'CONNECT' }),
    isBase64Encoded: false,
  };
};

export const buildMessageEvent = (
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  stamp: RequestStamp,
  message: { routeKey: string; messageId: string; body: string },
): WebSocketEvent => ({
  requestContext: context(api, connection, stamp, {
    routeKey: message.routeKey,
    messageId: message.messageId,
    eventType: 'MESSAGE',
  }),
  body: message.body,
  isBase64Encoded: false,
});

export const buildDisconnectEvent = (
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  stamp: RequestStamp,
  close: { statusCode: number; reason: string },
): WebSocketEvent => {
  // What AWS sends on $disconnect: the Host and three empty headers.
  const headers = { Host: connection.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  return {
    headers,
    multiValueHeaders,
    requestContext: context(api, connection, stamp, {
      routeKey: '$disconnect',
      disconnectStatusCode: close.statusCode,
      eventType: 'DISCONNECT',
      disconnectReason: close.reason,
    }),
    isBase64Encoded: false,
  };
};

/** Evaluates `$request.body.action` (or `${request.body.action}`) on a frame; undefined when it does not apply. */
export const selectRouteKey = (expression: string, body: string): string | undefined => {
  const path = /^\$\{?request\.body\.([\w.$-]+)\}?$/.exec(expression.trim())?.[1]?.split('.');
  if (!path) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
};
