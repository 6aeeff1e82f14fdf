import { describe, expect, it } from 'vitest';
import { createLocalHealth } from './health';
import { route, topologyWith, urls } from './testing';

const topology = topologyWith({
  httpRoutes: [
    route('GET', '/api/v1/health/posts', 'posts.health'),
    route('GET', '/api/v1/health/comments', 'comments.health'),
    route('GET', '/api/v1/posts', 'posts.listPosts'),
  ],
});

const answering =
  (answers: Record<string, { status: number; body: unknown } | Error>): typeof fetch =>
  async (input) => {
    const answer = answers[String(input)];
    if (!answer) throw new Error(`unexpected ${String(input)}`);
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };

const edgeHealth = { services: { dynamodb: 'running', sqs: 'running', events: 'running' } };

describe('createLocalHealth', () => {
  it('asks every service its health through the gateway, and the edge, and says where everything is', async () => {
    const health = createLocalHealth({
      topology,
      urls,
      startedAt: Date.now() - 61_000,
      openConnections: () => 2,
      fetch: answering({
        'http://127.0.0.1:8000/api/v1/health/posts': {
          status: 200,
          body: { status: 'healthy', service: 'posts' },
        },
        'http://127.0.0.1:8000/api/v1/health/comments': {
          status: 200,
          body: { status: 'healthy', service: 'comments' },
        },
        'http://127.0.0.1:4566/_localstack/health': { status: 200, body: edgeHealth },
      }),
    });
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      cloud: 'local',
      stage: 'local',
      uptimeSeconds: 61,
      endpoints: {
        http: urls.http,
        websocket: urls.websocket,
        connections: `${urls.connections}/@connections/{id}`,
      },
      services: {
        posts: { httpStatus: 200, status: 'healthy', service: 'posts' },
        comments: { httpStatus: 200, status: 'healthy', service: 'comments' },
      },
      edge: edgeHealth,
      websocket: { connections: 2 },
    });
  });

  it('answers 503 naming the service that did not answer healthy', async () => {
    const health = createLocalHealth({
      topology,
      urls,
      startedAt: Date.now(),
      openConnections: () => 0,
      fetch: answering({
        'http://127.0.0.1:8000/api/v1/health/posts': {
          status: 500,
          body: { message: 'Internal Server Error' },
        },
        'http://127.0.0.1:8000/api/v1/health/comments': new Error('connect ECONNREFUSED'),
        'http://127.0.0.1:4566/_localstack/health': new Error('connect ECONNREFUSED'),
      }),
    });
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe('unhealthy');
    expect(body.services.posts).toEqual({ httpStatus: 500, message: 'Internal Server Error' });
    expect(body.services.comments).toEqual({ status: 'unreachable', error: 'connect ECONNREFUSED' });
    expect(body.edge).toEqual({ error: 'connect ECONNREFUSED' });
  });

  it('asks an external edge instead of the embedded one, and is unhealthy while it does not answer', async () => {
    const services = {
      'http://127.0.0.1:8000/api/v1/health/posts': { status: 200, body: { status: 'healthy' } },
      'http://127.0.0.1:8000/api/v1/health/comments': { status: 200, body: { status: 'healthy' } },
    };
    let reachable = true;
    const health = createLocalHealth({
      topology,
      urls: { ...urls, edge: 'http://127.0.0.1:5170' },
      startedAt: Date.now(),
      openConnections: () => 0,
      fetch: answering(services),
      edgeHealth: async () => {
        if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5170');
        return { url: 'http://127.0.0.1:5170', product: 'moto', reachable: true };
      },
    });
    expect(await health()).toMatchObject({
      status: 200,
      body: { status: 'healthy', edge: { url: 'http://127.0.0.1:5170', product: 'moto', reachable: true } },
    });
    reachable = false;
    expect(await health()).toMatchObject({
      status: 503,
      body: { status: 'unhealthy', edge: { reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:5170' } },
    });
  });
});
