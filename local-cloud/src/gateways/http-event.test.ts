import { recordedEvent } from '@live-comments/shared/testing';
import { describe, expect, it } from 'vitest';
import { keysOf } from '../testing';
import { buildHttpEvent, type HttpRequestFacts, isTextContentType, mapLambdaResult } from './http-event';

/** A recorded event, loosely typed for comparing its keys with ours. */
type Recording = Record<string, Record<string, unknown>>;

/** The value at a path of keys in a parsed recording. */
const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (current, key) =>
      typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined,
    value,
  );

const request = (overrides: Partial<HttpRequestFacts> = {}): HttpRequestFacts => ({
  method: 'GET',
  rawPath: '/my/path',
  rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
  rawHeaders: [
    'Host',
    'localhost:8000',
    'User-Agent',
    'agent',
    'X-Multi',
    'a',
    'x-multi',
    'b',
    'Cookie',
    'c1=1; c2=2',
  ],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  ...overrides,
});

const context = {
  accountId: '000000000000',
  apiId: 'api',
  routeKey: 'GET /my/{thing}',
  requestId: 'LV7fzho-PHcEJPw=',
  time: '21/Apr/2020:15:08:21 +0000',
  timeEpoch: 1587481701067,
};

// Not emulated, on purpose: mutual TLS (`authentication`) and stage variables (serverless HTTP APIs have none).
const NOT_EMULATED = ['authentication', 'stageVariables'];
const without = (keys: string[], dropped: string[]) => keys.filter((key) => !dropped.includes(key));

describe('buildHttpEvent', () => {
  it('has the fields of the recorded JWT-authorized event', () => {
    const recorded = recordedEvent<Recording>('apigw-v2-request-jwt-authorizer');
    const event = buildHttpEvent(
      request({
        method: 'POST',
        body: Buffer.from('{"a":1}'),
        rawHeaders: ['Content-Type', 'application/json', 'Cookie', 'cookie1; cookie2'],
      }),
      {
        ...context,
        pathParameters: { proxy: 'hello/world' },
        authorization: { claims: { sub: 'alice' }, scopes: ['scope1'] },
      },
    );
    expect(keysOf(event)).toEqual(without(keysOf(recorded), NOT_EMULATED));
    expect(keysOf(event.requestContext)).toEqual(without(keysOf(recorded.requestContext), NOT_EMULATED));
    expect(keysOf(event.requestContext.http)).toEqual(keysOf(recorded.requestContext?.http));
    expect(keysOf(event.requestContext.authorizer?.jwt)).toEqual(
      keysOf(field(recorded, 'requestContext', 'authorizer', 'jwt')),
    );
    expect(event.cookies).toEqual(['cookie1', 'cookie2']);
  });

  it('has the fields of the recorded event without an authorizer', () => {
    const recorded = recordedEvent<Recording>('apigw-v2-request-no-authorizer');
    const event = buildHttpEvent(
      request({ rawQueryString: '', rawHeaders: ['Host', 'localhost:8000'] }),
      context,
    );
    expect(keysOf(event)).toEqual(keysOf(recorded));
    expect(keysOf(event.requestContext)).toEqual(without(keysOf(recorded.requestContext), NOT_EMULATED));
    expect(keysOf(event.headers)).toEqual(
      keysOf(recorded.headers).filter(
        (name) => !['accept', 'content-length', 'user-agent', 'x-amzn-trace-id'].includes(name),
      ),
    );
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('lower-cases header names, joins repeats with commas and moves cookies out', () => {
    const event = buildHttpEvent(request(), context);
    expect(event.headers['x-multi']).toBe('a,b');
    expect(event.headers.host).toBe('localhost:8000');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['c1=1', 'c2=2']);
    expect(event.requestContext.http).toEqual({
      method: 'GET',
      path: '/my/path',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'agent',
    });
    expect(event.requestContext.stage).toBe('$default');
    expect(event.requestContext.domainName).toBe('localhost:8000');
  });

  it('joins repeated query parameters with commas and keeps the raw query string', () => {
    const event = buildHttpEvent(request({ rawQueryString: 'a=1&a=2&b=x%20y&c' }), context);
    expect(event.rawQueryString).toBe('a=1&a=2&b=x%20y&c');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y', c: '' });
  });

  it('passes text bodies as text and other bodies base64-encoded', () => {
    const json = buildHttpEvent(
      request({
        rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
        body: Buffer.from('{"a":1}'),
      }),
      context,
    );
    expect(json.body).toBe('{"a":1}');
    expect(json.isBase64Encoded).toBe(false);
    const binary = buildHttpEvent(
      request({ rawHeaders: ['Content-Type', 'image/png'], body: Buffer.from([0, 1, 2]) }),
      context,
    );
    expect(binary.body).toBe('AAEC');
    expect(binary.isBase64Encoded).toBe(true);
  });

  it('leaves out body, query and path parameters when there are none', () => {
    const event = buildHttpEvent(request({ rawQueryString: '' }), context);
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('recognizes text content types', () => {
    expect(isTextContentType('text/plain')).toBe(true);
    expect(isTextContentType('application/vnd.api+json')).toBe(true);
    expect(isTextContentType('application/octet-stream')).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });
});

describe('mapLambdaResult', () => {
  it('maps a structured result with headers, cookies and a base64 body', () => {
    const response = mapLambdaResult({
      statusCode: 201,
      headers: { 'X-Thing': 1 },
      multiValueHeaders: { 'X-Many': ['a', 'b'] },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'x-thing': '1', 'x-many': 'a,b', 'set-cookie': ['a=1', 'b=2'] });
    expect(response.body.toString()).toBe('hi');
  });

  it('infers a 200 JSON response from a value without statusCode', () => {
    const object = mapLambdaResult({ hello: 'world' });
    expect(object.statusCode).toBe(200);
    expect(object.headers['content-type']).toBe('application/json');
    expect(object.body.toString()).toBe('{"hello":"world"}');
    expect(mapLambdaResult('Hello from Lambda!').body.toString()).toBe('Hello from Lambda!');
  });

  it('turns an invalid statusCode into a 500', () => {
    const response = mapLambdaResult({ statusCode: 'two hundred' });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
  });

  it('gives an empty body for a structured result without one', () => {
    const response = mapLambdaResult({ statusCode: 204 });
    expect(response.statusCode).toBe(204);
    expect(response.body.length).toBe(0);
  });
});
