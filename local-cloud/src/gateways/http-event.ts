import { queryPairs } from './http-io';
import type { JwtAuthorization } from './jwt-authorizer';

/**
 * The HTTP API payload format 2.0: the event a Lambda integration receives
 * and the mapping of what it returns, field by field as API Gateway does it.
 */

export interface HttpRequestFacts {
  method: string;
  /** The path as received (still percent-encoded). */
  rawPath: string;
  rawQueryString: string;
  /** Node's `rawHeaders`: name, value, name, value... */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

export interface HttpEventContext {
  accountId: string;
  apiId: string;
  routeKey: string;
  requestId: string;
  /** `12/Mar/2020:19:03:58 +0000` */
  time: string;
  timeEpoch: number;
  pathParameters?: Record<string, string>;
  authorization?: JwtAuthorization;
}

export interface HttpEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** Lower-cased names, repeated headers joined with commas, as HTTP APIs deliver them. */
export const collectHeaders = (rawHeaders: string[]): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return headers;
};

/** `a=1&a=2&b` -> `{a: '1,2', b: ''}`; undefined for an empty query string. */
export const parseQueryString = (raw: string): Record<string, string> | undefined => {
  if (raw === '') return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of queryPairs(raw)) {
    const existing = params[name];
    params[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return Object.keys(params).length > 0 ? params : undefined;
};

/** Bodies API Gateway passes as text; anything else (or no content type) arrives base64-encoded. */
export const isTextContentType = (contentType: string | undefined): boolean => {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
};

export const buildHttpEvent = (request: HttpRequestFacts, context: HttpEventContext): HttpEventV2 => {
  const headers = collectHeaders(request.rawHeaders);
  let cookies: string[] | undefined;
  const cookieHeader = headers.cookie;
  if (cookieHeader !== undefined) {
    // HTTP APIs move cookies out of the headers into their own array.
    cookies = cookieHeader
      .split(/;\s*|,/)
      .map((cookie) => cookie.trim())
      .filter(Boolean);
    delete headers.cookie;
  }
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-port'] ??= '443';
  headers['x-forwarded-proto'] ??= 'https';

  const host = headers.host ?? 'localhost';
  const event: HttpEventV2 = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.authorization
        ? {
            authorizer: {
              jwt: { claims: context.authorization.claims, scopes: context.authorization.scopes },
            },
          }
        : {}),
      domainName: host,
      domainPrefix: host.split('.', 1)[0] ?? host,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: '$default',
      time: context.time,
      timeEpoch: context.timeEpoch,
    },
    isBase64Encoded: false,
  };
  const query = parseQueryString(request.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (context.pathParameters && Object.keys(context.pathParameters).length > 0) {
    event.pathParameters = context.pathParameters;
  }
  if (request.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
};

export interface GatewayResponse {
  statusCode: number;
  /** Lower-cased names; `set-cookie` may repeat. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const INTERNAL_ERROR = JSON.stringify({ message: 'Internal Server Error' });

export const gatewayError = (statusCode: number, message: string): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

const internalError = (): GatewayResponse => ({
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(INTERNAL_ERROR),
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Maps what the function returned (payload 2.0). With a `statusCode` the
 * result is taken as structured; anything else is a 200 JSON response whose
 * body is the string returned, or the JSON of the value returned.
 */
export const mapLambdaResult = (result: unknown): GatewayResponse => {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const { statusCode } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return internalError();
  }
  const headers: Record<string, string | string[]> = {};
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
  }
  if (isRecord(result.multiValueHeaders)) {
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values)) continue;
      const key = name.toLowerCase();
      const joined = values.map(String).join(',');
      const existing = headers[key];
      headers[key] = existing === undefined ? joined : `${existing},${joined}`;
    }
  }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) {
    headers['set-cookie'] = result.cookies.map(String);
  }
  const rawBody = result.body;
  let body: Buffer;
  if (rawBody === undefined || rawBody === null) body = Buffer.alloc(0);
  else if (typeof rawBody === 'string')
    body = Buffer.from(rawBody, result.isBase64Encoded === true ? 'base64' : 'utf8');
  else body = Buffer.from(JSON.stringify(rawBody));
  return { statusCode, headers, body };
};
