import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CloudInfo } from '../info';
import { toLogEntry } from '../logs';
import { createLogJournal } from '../logs/journal';
import { fakeInvoker, route, topologyWith } from '../testing';
import { type HttpGateway, startHttpGateway } from './http-gateway';
import { createLocalIssuer } from './jwt-issuer';
import { createLocalRoutes, parseLogsQuery } from './local-routes';
import { startWebSocketGateway, type WebSocketGateway } from './websocket-gateway';

const line = (message: string, correlationId: string) =>
  JSON.stringify({
    level: 'INFO',
    message,
    timestamp: '2026-01-01T10:00:00.000Z',
    correlation_id: correlationId,
  });

describe('parseLogsQuery', () => {
  it('reads functions (repeated), correlation id, since (ms or ISO), after and limit', () => {
    expect(
      parseLogsQuery(
        'function=posts.createPost&function=comments&correlationId=c%3A1&since=1000&after=5&limit=20',
      ),
    ).toEqual({
      functions: ['posts.createPost', 'comments'],
      correlationId: 'c:1',
      since: 1000,
      after: 5,
      limit: 20,
    });
    expect(parseLogsQuery('since=2026-01-01T10:00:00Z')).toEqual({
      since: Date.parse('2026-01-01T10:00:00Z'),
    });
    expect(parseLogsQuery('')).toEqual({});
  });

  it('says what is wrong with a bad value', () => {
    expect(parseLogsQuery('since=yesterday')).toMatch(/"since" must be/);
    expect(parseLogsQuery('after=-1')).toBe('"after" must be a whole number.');
    expect(parseLogsQuery('limit=ten')).toBe('"limit" must be a whole number.');
  });
});

describe('the local routes on the gateways', () => {
  const journal = createLogJournal();
  const info = {
    cloud: 'local',
    stage: 'local',
    region: 'us-east-1',
    endpoints: [],
    stacks: [],
    notes: [],
  } as CloudInfo;
  const health = async () => ({ status: 200, body: { status: 'healthy', cloud: 'local' } });
  let http: HttpGateway;
  let websocket: WebSocketGateway;
  const invoker = fakeInvoker({ 'posts.health': () => ({ statusCode: 200, body: '{"status":"healthy"}' }) });

  beforeAll(async () => {
    const topology = topologyWith({ httpRoutes: [route('GET', '/api/v1/health/posts', 'posts.health')] });
    http = await startHttpGateway({
      port: 0,
      topology,
      invoker,
      issuer: await createLocalIssuer({ issuerUrl: 'http://127.0.0.1:8000/_local' }),
      localRoutes: createLocalRoutes({ journal, info: () => info, health }),
    });
    websocket = await startWebSocketGateway({ port: 0, topology, invoker, health });
    journal.record(
      toLogEntry('posts.createPost', 'stdout', line('post created', 'c1'), { format: 'json', color: false }),
    );
    journal.record(
      toLogEntry('posts.getPost', 'stdout', line('post read', 'c2'), { format: 'json', color: false }),
    );
  });

  afterAll(async () => {
    await http.stop();
    await websocket.stop();
  });

  it('answers GET /health on the HTTP port (the seed probe) with the local cloud health', async () => {
    const response = await fetch(`${http.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'healthy', cloud: 'local' });
  });

  it('answers GET /health on the WebSocket port, where any other path stays a 403', async () => {
    const response = await fetch(`${websocket.url.replace('ws:', 'http:')}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'healthy', cloud: 'local' });
    expect((await fetch(`${websocket.url.replace('ws:', 'http:')}/elsewhere`)).status).toBe(403);
  });

  it('gives the WebSocket port a health of its own when no health is passed: its open connections', async () => {
    const alone = await startWebSocketGateway({
      port: 0,
      topology: topologyWith({}),
      invoker: fakeInvoker(),
    });
    try {
      const socket = new WebSocket(alone.url);
      await new Promise((resolve) => socket.once('open', resolve));
      const response = await fetch(`${alone.url.replace('ws:', 'http:')}/health`);
      expect(await response.json()).toEqual({ status: 'healthy', connections: 1 });
      socket.terminate();
    } finally {
      await alone.stop();
    }
  });

  it('serves the info and the logs filtered as asked, and leaves the API routes to the functions', async () => {
    expect(await (await fetch(`${http.url}/_local/info`)).json()).toEqual(info);
    const logs = (await (await fetch(`${http.url}/_local/logs?correlationId=c2`)).json()) as {
      lines: { function: string }[];
      next: number;
    };
    expect(logs.lines.map((one) => one.function)).toEqual(['posts.getPost']);
    expect(logs.next).toBe(2);
    const bad = await fetch(`${http.url}/_local/logs?after=x`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${http.url}/api/v1/health/posts`)).status).toBe(200);
    expect(invoker.calls.map((call) => call.functionKey)).toEqual(['posts.health']);
    expect((await fetch(`${http.url}/_local/logs`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
