import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenBucket } from '../limits';
import { type FakeInvoker, fakeInvoker, route, topologyWith } from '../testing';
import type { JwtAuthorizerDef } from '../topology/model';
import type { HttpEventV2 } from './http-event';
import { type HttpGateway, type HttpRequestRecord, startHttpGateway } from './http-gateway';
import { createLocalIssuer, type LocalIssuer } from './jwt-issuer';

const WEB_APP = 'http://localhost:3000';

describe('startHttpGateway', () => {
  let issuer: LocalIssuer;
  let gateway: HttpGateway;
  let invoker: FakeInvoker;
  const requests: HttpRequestRecord[] = [];

  beforeAll(async () => {
    issuer = await createLocalIssuer({ issuerUrl: 'http://127.0.0.1:8000/_local' });
    const authorizer: JwtAuthorizerDef = {
      name: 'jwt',
      issuerUrl: issuer.issuerUrl,
      audience: ['live-comments'],
      identitySource: '$request.header.Authorization',
    };
    invoker = fakeInvoker({
      'posts.echo': (event) => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      }),
      'posts.plain': () => ({ hello: 'world' }),
      'posts.fails': () => {
        throw new Error('boom');
      },
      'posts.slow': () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 300)),
      'posts.cors': () => ({ statusCode: 200, headers: { 'access-control-allow-origin': '*' }, body: 'x' }),
      'posts.correlated': () => ({ statusCode: 201, headers: { 'x-correlation-id': 'corr-1' }, body: '{}' }),
    });
    const topology = topologyWith({
      httpApis: [
        {
          apiId: 'postsApi',
          stack: 'live-comments-posts',
          cors: {
            allowedOrigins: [WEB_APP],
            allowedHeaders: ['Content-Type', 'Authorization', 'X-Correlation-Id'],
            allowedMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
            exposedResponseHeaders: ['X-Correlation-Id'],
            allowCredentials: false,
            maxAge: 300,
          },
        },
      ],
      httpRoutes: [
        route('GET', '/api/v1/posts/{postId}', 'posts.echo', { apiId: 'postsApi' }),
        route('POST', '/api/v1/posts', 'posts.echo', { apiId: 'postsApi', authorizer }),
        route('GET', '/plain', 'posts.plain', { apiId: 'postsApi' }),
        route('GET', '/fails', 'posts.fails', { apiId: 'postsApi' }),
        route('GET', '/slow', 'posts.slow', { apiId: 'postsApi' }),
        route('GET', '/cors', 'posts.cors', { apiId: 'postsApi' }),
        route('POST', '/correlated/{id}', 'posts.correlated', { apiId: 'postsApi' }),
      ],
    });
    gateway = await startHttpGateway({
      port: 0,
      topology,
      invoker,
      issuer,
      stage: 'local',
      integrationTimeoutMs: 150,
      onRequest: (request) => requests.push(request),
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  beforeEach(() => {
    invoker.calls.length = 0;
  });

  const token = async (sub = 'alice') => {
    const response = await fetch(`${gateway.url}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  };

  it('invokes the route function with a payload 2.0 event and returns its response', async () => {
    const response = await fetch(`${gateway.url}/api/v1/posts/p%201?x=1&x=2`, {
      headers: { 'X-Thing': 'y' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[\w-]{15}=$/);
    const event = (await response.json()) as HttpEventV2;
    expect(invoker.calls.map((call) => call.functionKey)).toEqual(['posts.echo']);
    expect(event.routeKey).toBe('GET /api/v1/posts/{postId}');
    expect(event.rawPath).toBe('/api/v1/posts/p%201');
    expect(event.pathParameters).toEqual({ postId: 'p 1' });
    expect(event.queryStringParameters).toEqual({ x: '1,2' });
    expect(event.headers['x-thing']).toBe('y');
    expect(event.requestContext.apiId).toBe('postsApi');
    expect(event.requestContext.accountId).toBe('000000000000');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('tells onRequest of each request a function answered, with the correlation id it answered with', async () => {
    requests.length = 0;
    expect((await fetch(`${gateway.url}/correlated/7`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${gateway.url}/fails`)).status).toBe(500);
    expect((await fetch(`${gateway.url}/nowhere`)).status).toBe(404);
    expect(requests).toEqual([
      {
        at: expect.any(String),
        routeKey: 'POST /correlated/{id}',
        functionKey: 'posts.correlated',
        status: 201,
        durationMs: expect.any(Number),
        correlationId: 'corr-1',
      },
      {
        at: expect.any(String),
        routeKey: 'GET /fails',
        functionKey: 'posts.fails',
        status: 500,
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('answers 404 with API Gateway body when no route matches', async () => {
    const response = await fetch(`${gateway.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(invoker.calls).toHaveLength(0);
  });

  it('turns away a request without a token before any function runs', async () => {
    const response = await fetch(`${gateway.url}/api/v1/posts`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(invoker.calls).toHaveLength(0);
  });

  it('turns away a forged token before any function runs', async () => {
    const other = await createLocalIssuer({ issuerUrl: issuer.issuerUrl });
    const forged = await other.issueToken({ sub: 'mallory' });
    const response = await fetch(`${gateway.url}/api/v1/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${forged}` },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(invoker.calls).toHaveLength(0);
  });

  it('passes the claims of a valid token to the function', async () => {
    const response = await fetch(`${gateway.url}/api/v1/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't' }),
    });
    expect(response.status).toBe(200);
    const event = (await response.json()) as HttpEventV2;
    expect(event.requestContext.authorizer?.jwt.claims.sub).toBe('alice');
    expect(event.requestContext.authorizer?.jwt.claims.iss).toBe(issuer.issuerUrl);
    expect(event.requestContext.authorizer?.jwt.scopes).toEqual(['aws.cognito.signin.user.admin']);
    expect(event.body).toBe('{"title":"t"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('maps a value without statusCode to a 200 JSON response', async () => {
    const response = await fetch(`${gateway.url}/plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('answers 500 when the function fails and 503 past the integration timeout', async () => {
    const failed = await fetch(`${gateway.url}/fails`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    const slow = await fetch(`${gateway.url}/slow`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('answers CORS preflights itself for an allowed origin', async () => {
    const response = await fetch(`${gateway.url}/api/v1/posts`, {
      method: 'OPTIONS',
      headers: { origin: WEB_APP, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(WEB_APP);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Content-Type,Authorization,X-Correlation-Id',
    );
    expect(response.headers.get('access-control-max-age')).toBe('300');
    expect(invoker.calls).toHaveLength(0);
  });

  it('gives no CORS headers to another origin', async () => {
    const preflight = await fetch(`${gateway.url}/api/v1/posts`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await fetch(`${gateway.url}/plain`, { headers: { origin: 'http://evil.example' } });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds CORS headers to responses for an allowed origin, replacing the function’s', async () => {
    const response = await fetch(`${gateway.url}/cors`, { headers: { origin: WEB_APP } });
    expect(response.headers.get('access-control-allow-origin')).toBe(WEB_APP);
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Correlation-Id');
    const denied = await fetch(`${gateway.url}/api/v1/posts`, {
      method: 'POST',
      headers: { origin: WEB_APP },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(WEB_APP);
  });

  it('serves the issuer: JWKS, OpenID configuration and token errors in the contract shape', async () => {
    const jwks = (await (await fetch(`${gateway.url}/_local/.well-known/jwks.json`)).json()) as {
      keys: { kty: string; kid: string; alg: string }[];
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    const configuration = (await (
      await fetch(`${gateway.url}/_local/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    expect(configuration.issuer).toBe(issuer.issuerUrl);
    const bad = await fetch(`${gateway.url}/_local/token`, { method: 'POST', body: '{"sub": 7}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'validation_failed', message: expect.any(String) } });
    const preflight = await fetch(`${gateway.url}/_local/token`, {
      method: 'OPTIONS',
      headers: { origin: WEB_APP, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('says which port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startHttpGateway({ port, topology: topologyWith({}), invoker })).rejects.toThrow(
        `Port ${port} is in use (HTTP API). Set LC_HTTP_PORT=... or stop the other process.`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('startHttpGateway under the account throttle', () => {
  it('answers 429 Too Many Requests without invoking once the bucket is empty, and counts it', async () => {
    const invoker = fakeInvoker({ 'posts.plain': () => ({ hello: 'world' }) });
    let clock = 0;
    const gateway = await startHttpGateway({
      port: 0,
      topology: topologyWith({ httpRoutes: [route('GET', '/plain', 'posts.plain')] }),
      invoker,
      throttle: createTokenBucket({ ratePerSecond: 1, burst: 2, now: () => clock }),
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gateway.url}/plain`)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const throttled = await fetch(`${gateway.url}/plain`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('apigw-requestid')).toMatch(/^[\w-]{15}=$/);
      expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
      expect(invoker.calls).toHaveLength(2);
      expect(gateway.metrics()).toEqual({ throttledRequests: 2 });
      clock += 1000;
      expect((await fetch(`${gateway.url}/plain`)).status).toBe(200);
      gateway.resetMetrics();
      expect(gateway.metrics()).toEqual({ throttledRequests: 0 });
    } finally {
      await gateway.stop();
    }
  });
});
