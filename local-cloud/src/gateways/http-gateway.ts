import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { LambdaInvoker } from '../lambda/invoker';
import type { TokenBucket } from '../limits';
import type { Topology } from '../topology/model';
import { type CorsPolicy, createCorsPolicy, localRouteCors, withoutCorsHeaders } from './cors';
import { buildHttpEvent, type GatewayResponse, gatewayError, mapLambdaResult } from './http-event';
import { clientIp, readBody, sendJson, splitUrl } from './http-io';
import { createHttpRouter } from './http-routes';
import { awsId, requestTime } from './ids';
import { invokeWithin, TIMED_OUT } from './invoke';
import { createJwtAuthorizer, type JwtAuthorizer } from './jwt-authorizer';
import type { LocalIssuer } from './jwt-issuer';
import { closeServer, listen, urlHost } from './listen';
import type { LocalRoutes } from './local-routes';

/**
 * The local API Gateway HTTP API (payload format 2.0) in front of every
 * service's `httpApi` routes, with the JWT authorizer and CORS handled by the
 * gateway as in AWS, and the local issuer's routes under `/_local`.
 */

export interface HttpGatewayOptions {
  port: number;
  host?: string;
  topology: Topology;
  invoker: LambdaInvoker;
  /** The local JWT issuer; its routes are served and its tokens verified without network. */
  issuer?: LocalIssuer;
  /** The local cloud's own routes (`/health`, `/_local/info`, `/_local/logs`), served before the API's. */
  localRoutes?: LocalRoutes;
  stage?: string;
  /** API Gateway's integration timeout (30 s for HTTP APIs): past it the caller gets a 503. */
  integrationTimeoutMs?: number;
  /** HTTP APIs accept 10 MB payloads. */
  maxBodyBytes?: number;
  /** Named in the port-in-use error. Default `LC_HTTP_PORT`. */
  portVariable?: string;
  /**
   * The account's throttle (shared with the WebSocket API and `@connections`): a
   * request without a token gets API Gateway's 429 `{"message":"Too Many Requests"}`.
   */
  throttle?: TokenBucket;
  /** Told of every request a function answered (or failed to): the console's request paths. */
  onRequest?: (request: HttpRequestRecord) => void;
}

/** A request routed to a function, as API Gateway's access log has it. */
export interface HttpRequestRecord {
  /** ISO time the request came in. */
  at: string;
  routeKey: string;
  functionKey: string;
  status: number;
  durationMs: number;
  /** The `x-correlation-id` the function answered with (the shared kit sets it on every response). */
  correlationId?: string;
}

export interface HttpGatewayMetrics {
  /** Requests answered 429 by the account's throttle. */
  throttledRequests: number;
}

export interface HttpGateway {
  url: string;
  port: number;
  metrics(): HttpGatewayMetrics;
  resetMetrics(): void;
  stop(): Promise<void>;
}

const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

const authorizerKey = (def: { issuerUrl: string; audience: string[]; identitySource: string }) =>
  `${def.issuerUrl}|${def.audience.join(',')}|${def.identitySource}`;

export const startHttpGateway = async (options: HttpGatewayOptions): Promise<HttpGateway> => {
  const { topology, invoker, issuer } = options;
  const host = options.host ?? '127.0.0.1';
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const router = createHttpRouter(topology.httpRoutes);
  const { throttle } = options;
  let throttledRequests = 0;

  const corsByApi = new Map<string, CorsPolicy>();
  for (const api of topology.httpApis) if (api.cors) corsByApi.set(api.apiId, createCorsPolicy(api.cors));
  // Gateway answers that belong to no route (404, preflights of unknown paths) use the first API's CORS.
  const defaultCors = corsByApi.values().next().value;

  const authorizers = new Map<string, JwtAuthorizer>();
  for (const route of topology.httpRoutes) {
    if (!route.authorizer) continue;
    const key = authorizerKey(route.authorizer);
    if (!authorizers.has(key)) {
      authorizers.set(
        key,
        createJwtAuthorizer({ def: route.authorizer, ...(issuer ? { localIssuer: issuer } : {}) }),
      );
    }
  }

  const corsHeaders = (policy: CorsPolicy | undefined, origin: string | undefined): OutgoingHttpHeaders =>
    policy && origin && policy.allows(origin) ? policy.responseHeaders(origin) : {};

  const write = (
    res: ServerResponse,
    response: GatewayResponse,
    requestId: string,
    policy: CorsPolicy | undefined,
    origin: string | undefined,
  ) => {
    const headers = policy ? withoutCorsHeaders(response.headers) : response.headers;
    res.writeHead(response.statusCode, {
      ...headers,
      ...corsHeaders(policy, origin),
      'content-length': response.body.length,
      'apigw-requestid': requestId,
    });
    res.end(response.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { path, query } = splitUrl(req.url);
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    const isPreflight =
      method === 'OPTIONS' && origin !== undefined && !!req.headers['access-control-request-method'];

    if (issuer && path.startsWith(`${issuer.basePath}/`)) {
      if (isPreflight) {
        res.writeHead(204, localRouteCors.preflightHeaders(origin));
        res.end();
        return;
      }
      if (origin)
        for (const [name, value] of Object.entries(localRouteCors.responseHeaders(origin))) {
          if (value !== undefined) res.setHeader(name, value);
        }
      if (issuer.handle(req, res, path)) return;
    }
    if (options.localRoutes?.handle(req, res, path, query)) return;

    // Every request to an API counts against the account (the local issuer is no part of AWS).
    if (throttle && !throttle.take()) {
      req.resume();
      throttledRequests += 1;
      const policy = corsByApi.get(router.matchPath(path)?.route.apiId ?? '') ?? defaultCors;
      write(res, gatewayError(429, 'Too Many Requests'), awsId(), policy, origin);
      return;
    }

    if (isPreflight) {
      const policy = corsByApi.get(router.matchPath(path)?.route.apiId ?? '') ?? defaultCors;
      if (policy) {
        req.resume();
        res.writeHead(204, policy.allows(origin) ? policy.preflightHeaders(origin) : {});
        res.end();
        return;
      }
    }

    const requestId = awsId();
    const match = router.match(method, path);
    if (!match) {
      req.resume();
      write(res, gatewayError(404, 'Not Found'), requestId, defaultCors, origin);
      return;
    }
    const { route } = match;
    const policy = corsByApi.get(route.apiId);

    let authorization: Awaited<ReturnType<JwtAuthorizer['authorize']>> | undefined;
    if (route.authorizer) {
      const authorizer = authorizers.get(authorizerKey(route.authorizer)) as JwtAuthorizer;
      authorization = await authorizer.authorize(req.headers as Record<string, string>);
      if (!authorization.ok) {
        req.resume();
        const denied = gatewayError(401, 'Unauthorized');
        if (authorization.challenge) denied.headers['www-authenticate'] = authorization.challenge;
        write(res, denied, requestId, policy, origin);
        return;
      }
    }

    const read = await readBody(req, maxBodyBytes);
    if (!read.ok) {
      write(res, gatewayError(413, 'Request Entity Too Large'), requestId, policy, origin);
      return;
    }

    const now = Date.now();
    const event = buildHttpEvent(
      {
        method,
        rawPath: path,
        rawQueryString: query,
        rawHeaders: req.rawHeaders,
        body: read.body,
        sourceIp: clientIp(req.socket.remoteAddress),
        protocol: `HTTP/${req.httpVersion}`,
      },
      {
        accountId: topology.accountId,
        apiId: route.apiId,
        routeKey: route.routeKey,
        requestId,
        time: requestTime(now),
        timeEpoch: now,
        ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
        ...(authorization?.ok ? { authorization: authorization.authorization } : {}),
      },
    );

    const outcome = await invokeWithin(invoker, route.functionKey, event, integrationTimeoutMs);
    const response =
      outcome === TIMED_OUT
        ? gatewayError(503, 'Service Unavailable')
        : outcome.ok
          ? mapLambdaResult(outcome.result)
          : gatewayError(500, 'Internal Server Error');
    write(res, response, requestId, policy, origin);
    if (options.onRequest) {
      const correlationId = response.headers['x-correlation-id'];
      options.onRequest({
        at: new Date(now).toISOString(),
        routeKey: route.routeKey,
        functionKey: route.functionKey,
        status: response.statusCode,
        durationMs: Date.now() - now,
        ...(typeof correlationId === 'string' ? { correlationId } : {}),
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { message: 'Internal Server Error' });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const port = await listen(server, options.port, host, 'HTTP API', options.portVariable ?? 'LC_HTTP_PORT');
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    metrics: () => ({ throttledRequests }),
    resetMetrics() {
      throttledRequests = 0;
    },
    stop: () => closeServer(server),
  };
};
