import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopology, loadTopology, mapExecuteApiUrls, resolveStacks } from './index';
import { createResolver } from './intrinsics';
import type { Topology } from './model';

const root = join(import.meta.dirname, 'fixtures', 'root');
const ports = { http: 18000, websocket: 13001, edge: 14566, web: 13000 };
const cacheDir = mkdtempSync(join(tmpdir(), 'topology-cache-'));

let topology: Topology;

beforeAll(async () => {
  topology = await loadTopology({ root, ports, cacheDir, params: { jwtAudience: 'shop-local' } });
}, 60_000);

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function fn(key: string) {
  const found = topology.functions.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no function ${key}`);
  return found;
}

describe('loadTopology', () => {
  it('reads the events stack and every service with a serverless.yml', () => {
    expect(topology.functions.map((candidate) => candidate.key).sort()).toEqual([
      'shop.createOrder',
      'shop.fallback',
      'shop.listOrders',
      'shop.worker',
      'socket.connect',
      'socket.disconnect',
      'socket.fanout',
      'socket.subscribe',
    ]);
    expect(topology).toMatchObject({ region: 'us-east-1', accountId: '000000000000', stage: 'local' });
  });

  it('serves the second load from the cache', async () => {
    const stacks = await resolveStacks({
      root,
      stage: 'local',
      region: 'us-east-1',
      params: { jwtAudience: 'shop-local' },
      cacheDir,
    });
    expect(stacks.map((stack) => stack.fromCache)).toEqual([true, true, true]);
  });

  it('merges provider and function environment with intrinsics resolved to local names', () => {
    expect(fn('shop.createOrder')).toMatchObject({
      functionName: 'fixture-shop-local-createOrder',
      handler: 'src/handlers/create-order.handler',
      serviceDir: join(root, 'services', 'shop'),
      timeoutSeconds: 3,
      memorySize: 1024,
      environment: {
        STAGE: 'overridden',
        ONLY_HERE: 'yes-local',
        EVENT_BUS_NAME: 'fixture-local',
        ORDERS_TABLE: 'local-orders',
        ORDERS_TABLE_ARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/local-orders',
        WORK_QUEUE_URL: 'http://127.0.0.1:14566/000000000000/local-shop-work',
        WORK_QUEUE_NAME: 'local-shop-work',
        BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/fixture-local',
        PORT_LIKE: '8080',
      },
    });
    expect(fn('shop.listOrders')).toMatchObject({ timeoutSeconds: 5, memorySize: 256 });
    expect(fn('shop.listOrders').environment.STAGE).toBe('local');
    expect(fn('shop.worker').functionName).toBe('custom-worker-name');
  });

  it('maps execute-api URLs of local APIs to the local gateways', () => {
    expect(fn('socket.connect').environment).toMatchObject({
      WEBSOCKET_ENDPOINT: 'http://127.0.0.1:13001/local',
      WEBSOCKET_URL: 'ws://127.0.0.1:13001/local',
      FIRST_LABEL: 'http://127.0.0.1:14566/000000000000/fixture',
      MODE: 'local-mode',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub turns ${!Literal} into this literal text
      ESCAPED: '${Literal}-fixture-socket-local',
    });
    expect(fn('socket.connect').timeoutSeconds).toBe(6);
    expect(fn('socket.connect').memorySize).toBe(1024);
  });

  it('builds HTTP routes with their authorizer and the serverless CORS defaults', () => {
    expect(topology.httpRoutes).toEqual([
      {
        apiId: 'local-shop-http',
        method: 'GET',
        path: '/orders',
        routeKey: 'GET /orders',
        functionKey: 'shop.listOrders',
      },
      {
        apiId: 'local-shop-http',
        method: 'POST',
        path: '/orders/{orderId}',
        routeKey: 'POST /orders/{orderId}',
        functionKey: 'shop.createOrder',
        authorizer: {
          name: 'jwt',
          issuerUrl: 'https://issuer.example.com',
          audience: ['shop-local'],
          identitySource: '$request.header.Authorization',
        },
      },
      {
        apiId: 'local-shop-http',
        method: 'ANY',
        path: '*',
        routeKey: '$default',
        functionKey: 'shop.fallback',
      },
    ]);
    expect(topology.httpApis).toHaveLength(1);
    expect(topology.httpApis[0]?.cors?.allowedOrigins).toEqual(['*']);
    expect(topology.httpApis[0]?.cors?.allowedHeaders).toContain('Authorization');
    expect(new Set(topology.httpApis[0]?.cors?.allowedMethods)).toEqual(
      new Set(['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'DELETE']),
    );
  });

  it('builds the WebSocket API with its route selection expression', () => {
    expect(topology.webSocketApis).toEqual([
      {
        apiId: 'local-socket-ws',
        stack: 'fixture-socket',
        stage: 'local',
        routeSelectionExpression: '$request.body.type',
        routes: [
          { route: '$connect', functionKey: 'socket.connect' },
          { route: '$disconnect', functionKey: 'socket.disconnect' },
          { route: 'subscribe', functionKey: 'socket.subscribe' },
        ],
      },
    ]);
  });

  it('builds SQS event sources with Lambda defaults', () => {
    expect(topology.sqsEventSources).toEqual([
      {
        functionKey: 'shop.worker',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:local-shop-work',
        batchSize: 25,
        maximumBatchingWindowSeconds: 2,
        reportBatchItemFailures: true,
        enabled: true,
      },
      {
        functionKey: 'socket.fanout',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:fixture-socket-local-FanoutQueue',
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        enabled: true,
      },
    ]);
  });

  it('builds schedules from the short and the object form', () => {
    expect(topology.schedules).toEqual([
      { functionKey: 'shop.worker', expression: 'rate(5 minutes)', enabled: true },
      {
        functionKey: 'socket.fanout',
        expression: 'cron(0/15 * * * ? *)',
        enabled: false,
        input: { sweep: true },
      },
      { functionKey: 'socket.fanout', expression: 'rate(1 hour)', enabled: false, input: { sweep: true } },
    ]);
  });

  it('builds tables, queues with redrive and policies, buses and rules', () => {
    expect(topology.tables).toEqual([
      expect.objectContaining({
        logicalId: 'OrdersTable',
        name: 'local-orders',
        ttlAttribute: 'expiresAt',
        properties: expect.objectContaining({ KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }),
      }),
    ]);
    const work = topology.queues.find((queue) => queue.logicalId === 'WorkQueue');
    expect(work).toMatchObject({
      name: 'local-shop-work',
      fifo: false,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 345_600,
      redrive: {
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:fixture-shop-local-WorkDeadLetterQueue',
        maxReceiveCount: 3,
      },
    });
    expect(JSON.stringify(work?.policies)).toContain(
      'arn:aws:events:us-east-1:000000000000:rule/fixture-local/local-shop-order-placed',
    );
    expect(topology.queues.find((queue) => queue.logicalId === 'WorkDeadLetterQueue')).toMatchObject({
      messageRetentionSeconds: 1_209_600,
      policies: [],
    });
    expect(topology.buses).toEqual([
      {
        stack: 'fixture-events',
        name: 'fixture-local',
        arn: 'arn:aws:events:us-east-1:000000000000:event-bus/fixture-local',
      },
    ]);
    expect(topology.rules).toEqual([
      {
        stack: 'fixture-shop',
        logicalId: 'OrderPlacedRule',
        name: 'local-shop-order-placed',
        arn: 'arn:aws:events:us-east-1:000000000000:rule/fixture-local/local-shop-order-placed',
        busName: 'fixture-local',
        eventPattern: { source: ['fixture.shop'], 'detail-type': ['OrderPlaced'] },
        state: 'ENABLED',
        targets: [
          {
            id: 'work',
            arn: 'arn:aws:sqs:us-east-1:000000000000:local-shop-work',
            retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
            deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:fixture-shop-local-WorkDeadLetterQueue',
          },
        ],
      },
      {
        stack: 'fixture-socket',
        logicalId: 'FanoutRule',
        name: 'fixture-socket-local-FanoutRule',
        arn: 'arn:aws:events:us-east-1:000000000000:rule/fixture-local/fixture-socket-local-FanoutRule',
        busName: 'fixture-local',
        eventPattern: { source: ['fixture.shop'] },
        state: 'DISABLED',
        targets: [
          { id: 'fanout', arn: 'arn:aws:sqs:us-east-1:000000000000:fixture-socket-local-FanoutQueue' },
        ],
      },
    ]);
  });
});

describe('buildTopology', () => {
  const stack = (config: Record<string, unknown>) => ({ service: 'svc', dir: '/svc', config });
  const options = { ports, accountId: '000000000000', region: 'us-east-1', stage: 'local' };

  it('names the stack and path of an unknown intrinsic', () => {
    expect(() =>
      buildTopology(
        [
          stack({
            service: 'svc',
            provider: { stage: 'local', environment: { X: { 'Fn::ImportValue': 'other-export' } } },
            functions: { a: { handler: 'a.handler' } },
          }),
        ],
        options,
      ),
    ).toThrow('svc: provider.environment.X.Fn::ImportValue: unsupported intrinsic Fn::ImportValue');
  });

  it('names the stack and path of a reference to a missing resource', () => {
    expect(() =>
      buildTopology(
        [stack({ service: 'svc', provider: { environment: { T: { Ref: 'Nope' } } }, functions: {} })],
        options,
      ),
    ).toThrow('svc: provider.environment.T.Ref: unknown resource Nope');
  });

  it('rejects an SQS event source on a queue no stack declares', () => {
    expect(() =>
      buildTopology(
        [
          stack({
            service: 'svc',
            functions: {
              a: { handler: 'a.handler', events: [{ sqs: 'arn:aws:sqs:us-east-1:000000000000:elsewhere' }] },
            },
          }),
        ],
        options,
      ),
    ).toThrow('svc.a: sqs event source arn:aws:sqs:us-east-1:000000000000:elsewhere is not a queue');
  });

  it('keeps explicit CORS settings and fills methods from the routes when none are listed', () => {
    const built = buildTopology(
      [
        stack({
          service: 'svc',
          provider: {
            httpApi: {
              cors: { allowedOrigins: 'http://localhost:3000', allowCredentials: true, maxAge: 60 },
            },
          },
          functions: { a: { handler: 'a.handler', events: [{ httpApi: { method: 'delete', path: '/x' } }] } },
        }),
      ],
      options,
    );
    expect(built.httpApis[0]?.cors).toEqual({
      allowedOrigins: ['http://localhost:3000'],
      allowedHeaders: expect.arrayContaining(['Content-Type', 'Authorization']),
      allowedMethods: ['OPTIONS', 'DELETE'],
      exposedResponseHeaders: [],
      allowCredentials: true,
      maxAge: 60,
    });
  });

  it("reads each API stage's default route throttling from resources.extensions", () => {
    const throttled = (rate: unknown, burst: unknown) => ({
      Properties: {
        DefaultRouteSettings: {
          ...(rate === undefined ? {} : { ThrottlingRateLimit: rate }),
          ...(burst === undefined ? {} : { ThrottlingBurstLimit: burst }),
        },
      },
    });
    const build = (extensions: Record<string, unknown>) =>
      buildTopology(
        [
          stack({
            service: 'svc',
            functions: {
              a: { handler: 'a.handler', events: [{ httpApi: { method: 'GET', path: '/x' } }] },
              b: { handler: 'b.handler', events: [{ websocket: { route: '$default' } }] },
            },
            resources: { extensions },
          }),
        ],
        options,
      );
    // As --param passes them (strings) and as YAML numbers.
    const built = build({
      HttpApiStage: throttled('20', '10'),
      WebsocketsDeploymentStage: throttled(100, 50),
    });
    expect(built.httpApis[0]?.throttle).toEqual({ rateLimit: 20, burstLimit: 10 });
    expect(built.webSocketApis[0]?.throttle).toEqual({ rateLimit: 100, burstLimit: 50 });
    expect(build({}).httpApis[0]?.throttle).toBeUndefined();
    expect(build({}).webSocketApis[0]?.throttle).toBeUndefined();
    expect(build({ HttpApiStage: throttled(5, undefined) }).httpApis[0]?.throttle).toEqual({
      rateLimit: 5,
      burstLimit: 5,
    });
    expect(() => build({ HttpApiStage: throttled('fast', 1) })).toThrow(
      'svc: resources.extensions.HttpApiStage.Properties.DefaultRouteSettings.ThrottlingRateLimit must be a number',
    );
  });

  it("reads a function's reservedConcurrency and an SQS mapping's maximumConcurrency", () => {
    const built = buildTopology(
      [
        stack({
          service: 'svc',
          functions: {
            a: {
              handler: 'a.handler',
              reservedConcurrency: 3,
              events: [{ sqs: { arn: { 'Fn::GetAtt': ['Work', 'Arn'] }, maximumConcurrency: 2 } }],
            },
            b: { handler: 'b.handler', reservedConcurrency: 0 },
            c: { handler: 'c.handler' },
          },
          resources: { Resources: { Work: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'work' } } } },
        }),
      ],
      options,
    );
    expect(built.functions.map((fn) => [fn.name, fn.reservedConcurrency])).toEqual([
      ['a', 3],
      ['b', 0],
      ['c', undefined],
    ]);
    expect(built.functions[2]).not.toHaveProperty('reservedConcurrency');
    expect(built.sqsEventSources).toMatchObject([{ functionKey: 'svc.a', maximumConcurrency: 2 }]);
  });

  it('refuses a reservedConcurrency or maximumConcurrency AWS would refuse', () => {
    const withFunction = (fn: Record<string, unknown>) => () =>
      buildTopology(
        [
          stack({
            service: 'svc',
            functions: { a: { handler: 'a.handler', ...fn } },
            resources: { Resources: { Work: { Type: 'AWS::SQS::Queue', Properties: {} } } },
          }),
        ],
        options,
      );
    expect(withFunction({ reservedConcurrency: 'lots' })).toThrow(
      'svc: functions.a.reservedConcurrency must be a whole number, not lots',
    );
    expect(
      withFunction({ events: [{ sqs: { arn: { 'Fn::GetAtt': ['Work', 'Arn'] }, maximumConcurrency: 1 } }] }),
    ).toThrow(
      'svc: functions.a.events.0.sqs.maximumConcurrency must be a whole number from 2 to 1000, not 1',
    );
  });

  it('warns about event types it does not emulate', () => {
    const built = buildTopology(
      [stack({ service: 'svc', functions: { a: { handler: 'a.handler', events: [{ s3: 'bucket' }] } } })],
      options,
    );
    expect(built.warnings).toEqual(['svc.a: s3 events are not emulated locally']);
  });
});

describe('createResolver', () => {
  const resolver = createResolver({
    stack: 'svc',
    stackName: 'svc-local',
    region: 'us-east-1',
    accountId: '000000000000',
    resources: {
      Jobs: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'b' } },
      OnDefault: { Type: 'AWS::Events::Rule', Properties: {} },
    },
    conditions: { Never: { 'Fn::Not': [{ 'Fn::Equals': ['a', 'a'] }] } },
    functionNames: { WorkLambdaFunction: 'svc-local-work' },
    edgeUrl: 'http://127.0.0.1:4566',
  });

  it('resolves the log groups serverless adds for its functions (a per-function role names its own)', () => {
    expect(resolver.resolve({ 'Fn::GetAtt': ['WorkLogGroup', 'Arn'] }, 'x')).toBe(
      'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/svc-local-work:*',
    );
    expect(resolver.resolve({ Ref: 'WorkLogGroup' }, 'x')).toBe('/aws/lambda/svc-local-work');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['OtherLogGroup', 'Arn'] }, 'x')).toThrow(
      'unknown resource',
    );
  });

  it('gives FIFO queues a .fifo default name', () => {
    expect(resolver.resolve({ Ref: 'Jobs' }, 'x')).toBe(
      'http://127.0.0.1:4566/000000000000/svc-local-Jobs.fifo',
    );
  });

  it('resolves rules on the default bus, functions and AWS::NoValue', () => {
    expect(
      resolver.resolve(
        {
          rule: { 'Fn::GetAtt': 'OnDefault.Arn' },
          fn: { 'Fn::GetAtt': ['WorkLambdaFunction', 'Arn'] },
          gone: { 'Fn::If': ['Never', 'x', { Ref: 'AWS::NoValue' }] },
          list: ['a', { Ref: 'AWS::NoValue' }, { 'Fn::GetAtt': ['Bus', 'Name'] }],
        },
        'x',
      ),
    ).toEqual({
      rule: 'arn:aws:events:us-east-1:000000000000:rule/svc-local-OnDefault',
      fn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-work',
      list: ['a', 'b'],
    });
  });

  it('names unsupported attributes', () => {
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Bus', 'Policy'] }, 'p')).toThrow(
      'svc: p.Fn::GetAtt: Fn::GetAtt Bus.Policy is not supported locally (AWS::Events::EventBus)',
    );
  });
});

describe('mapExecuteApiUrls', () => {
  it('leaves URLs of other APIs alone', () => {
    const apis = [{ apiId: 'local-a-ws', kind: 'websocket' as const }];
    expect(
      mapExecuteApiUrls('https://abc.execute-api.us-east-1.amazonaws.com/dev', apis, 'us-east-1', ports),
    ).toBe('https://abc.execute-api.us-east-1.amazonaws.com/dev');
    expect(
      mapExecuteApiUrls('https://local-a-ws.execute-api.us-east-1.amazonaws.com', apis, 'us-east-1', ports),
    ).toBe('http://127.0.0.1:13001');
    expect(
      mapExecuteApiUrls(
        'wss://local-a-ws.execute-api.us-east-1.amazonaws.com/local',
        apis,
        'us-east-1',
        ports,
        'localhost',
      ),
    ).toBe('ws://localhost:13001/local');
  });
});
