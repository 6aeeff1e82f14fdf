import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Pool } from 'undici';
import { createSigV4Signer, escapeUri } from './sigv4';

/**
 * The `@connections` management API of one WebSocket API stage: one signed
 * `POST /{stage}/@connections/{connectionId}` per frame.
 *
 * Why not the SDK's ApiGatewayManagementApiClient: a broadcast is thousands of
 * identical tiny calls, and the SDK's per-call middleware (endpoint rules,
 * user agent, retry quota, serde, a general-purpose signer) cost several
 * times the HTTP exchange itself in the fan-out benchmark. This keeps the
 * SDK's credential chain, signs with a SigV4 signer made for this one request
 * shape (./sigv4.ts) and sends over kept-alive sockets; errors carry the SDK's
 * shape (`name`, `$metadata.httpStatusCode`) so callers classify them the
 * same way.
 */
export interface ConnectionsApi {
  postToConnection(connectionId: string, data: Uint8Array): Promise<void>;
  /** `DELETE /{stage}/@connections/{connectionId}`: API Gateway closes the connection (then runs `$disconnect`). */
  deleteConnection(connectionId: string): Promise<void>;
}

/** A failed `@connections` call, shaped like an SDK service error. */
export class ConnectionsApiError extends Error {
  readonly $metadata: { httpStatusCode?: number };

  constructor(name: string, message: string, httpStatusCode?: number) {
    super(message);
    this.name = name;
    this.$metadata = httpStatusCode === undefined ? {} : { httpStatusCode };
  }
}

/** One signed HTTP request, as handed to the transport. */
export interface SignedRequest {
  method: 'POST' | 'DELETE';
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a signed request and reads the whole answer; rejects only when no answer came. */
export type Transport = (request: SignedRequest) => Promise<TransportResponse>;

export interface ConnectionsApiOptions {
  /** The stage's endpoint, e.g. https://{apiId}.execute-api.{region}.amazonaws.com/{stage}. */
  endpoint: string;
  /** Signing region; default the one in an execute-api host name, else AWS_REGION. */
  region?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sockets kept alive to the endpoint (and so calls in flight at once). */
  maxSockets?: number;
  /** Gives up on a call with no answer after this long (the caller may retry). */
  timeoutMs?: number;
  /** Replaces the HTTP exchange (tests). */
  transport?: Transport;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Credentials resolved once and reused until five minutes before they
 * expire (the provider chain's memoization, without a promise per frame).
 */
const cachedCredentials = (
  source: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): (() => AwsCredentialIdentity | Promise<AwsCredentialIdentity>) => {
  if (typeof source !== 'function') return () => source;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    const expiresAt = current?.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    if (current && expiresAt - Date.now() > REFRESH_BEFORE_EXPIRY_MS) return current;
    pending ??= source().then(
      (resolved) => {
        current = resolved;
        pending = undefined;
        return resolved;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
};

const regionOf = (hostname: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(hostname)?.[1];

/** `GoneException:http://internal.amazon.com/...` → `GoneException`. */
const errorTypeOf = (header: string | string[] | undefined): string | undefined => {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(':')[0] || undefined;
};

const NAME_BY_STATUS: Record<number, string> = {
  403: 'ForbiddenException',
  410: 'GoneException',
  413: 'PayloadTooLargeException',
  429: 'LimitExceededException',
};

const messageOf = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
    const message = parsed.message ?? parsed.Message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The default transport: an undici Pool per origin (kept-alive sockets, no
 * pipelining, as API Gateway answers one request at a time per connection).
 * undici rather than node:http: its client costs about a third less CPU per
 * request (measured).
 */
export const keepAliveTransport = ({
  maxSockets,
  timeoutMs,
}: {
  maxSockets: number;
  timeoutMs: number;
}): Transport => {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: maxSockets, pipelining: 1, keepAliveTimeout: 60_000 });
      pools.set(origin, pool);
    }
    return pool;
  };
  return (signed) =>
    new Promise((resolve, reject) => {
      const origin = `${signed.protocol}//${signed.hostname}${signed.port ? `:${signed.port}` : ''}`;
      let status = 0;
      let headers: TransportResponse['headers'] = {};
      // Only an error answer's body is read (for its message); a 2xx body is dropped as it streams.
      const errorBody: Buffer[] = [];
      // dispatch with a handler rather than request(): no body stream per response, about a
      // fifth less CPU per call (measured), which a broadcast pays per subscriber.
      poolFor(origin).dispatch(
        {
          method: signed.method,
          path: signed.path,
          // Includes the signed host header, which undici sends as given.
          headers: signed.headers,
          body: signed.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode, responseHeaders) {
            status = statusCode;
            headers = responseHeaders;
          },
          onResponseData(_controller, chunk) {
            if (status < 200 || status >= 300) errorBody.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, headers, body: Buffer.concat(errorBody).toString('utf8') });
          },
          onResponseError(_controller, error) {
            reject(
              isTimeout(error)
                ? new ConnectionsApiError('TimeoutError', `No answer within ${timeoutMs} ms`)
                : error,
            );
          },
        },
      );
    });
};

const isTimeout = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
};

const NO_BODY = new Uint8Array(0);

export const createConnectionsApi = (options: ConnectionsApiOptions): ConnectionsApi => {
  const endpoint = new URL(options.endpoint);
  const protocol = endpoint.protocol === 'http:' ? 'http:' : 'https:';
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  const port = endpoint.port ? Number(endpoint.port) : undefined;
  const region = options.region ?? regionOf(endpoint.hostname) ?? (process.env.AWS_REGION || undefined);
  if (!region) throw new Error(`No signing region for ${options.endpoint}: set AWS_REGION`);
  const sign = createSigV4Signer({ service: 'execute-api', region });
  const credentials = cachedCredentials(options.credentials ?? defaultProvider());
  const transport =
    options.transport ??
    keepAliveTransport({ maxSockets: options.maxSockets ?? 64, timeoutMs: options.timeoutMs ?? 5_000 });

  const call = async (method: 'POST' | 'DELETE', connectionId: string, data: Uint8Array) => {
    const path = `${basePath}/@connections/${escapeUri(connectionId)}`;
    const resolved = credentials();
    const headers = sign(
      {
        method,
        path,
        host: endpoint.host,
        headers:
          method === 'POST'
            ? { 'content-type': 'application/json', 'content-length': String(data.byteLength) }
            : {},
        body: data,
      },
      resolved instanceof Promise ? await resolved : resolved,
    );
    const response = await transport({
      method,
      protocol,
      hostname: endpoint.hostname,
      ...(port ? { port } : {}),
      path,
      headers,
      body: data,
    });
    if (response.status >= 200 && response.status < 300) return;
    const name =
      errorTypeOf(response.headers['x-amzn-errortype']) ?? NAME_BY_STATUS[response.status] ?? 'HttpError';
    throw new ConnectionsApiError(
      name,
      messageOf(response.body) ?? `@connections answered ${response.status}`,
      response.status,
    );
  };

  return {
    postToConnection: (connectionId, data) => call('POST', connectionId, data),
    deleteConnection: (connectionId) => call('DELETE', connectionId, NO_BODY),
  };
};
