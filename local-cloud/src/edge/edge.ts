/**
 * The AWS edge: one HTTP port (4566, like LocalStack's) in front of DynamoDB
 * (dynalite), SQS (fauxqs) and EventBridge (written here). A request goes to a
 * service by its `X-Amz-Target`, else by the service in its SigV4 credential
 * scope, else by an `Action=` form body (the legacy SQS query protocol, which
 * fauxqs does not speak, so it is refused with a clear error).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { awsJsonError, jsonBody, type WireRequest, type WireResponse } from '../aws-wire';
import { createDynamoDbService, type DynamoDbService } from '../dynamodb/dynamodb';
import type { CallContext } from '../eventbridge/api';
import type { TargetRefusal } from '../eventbridge/delivery';
import { createEventBridge, type EventBridgeEmulator } from '../eventbridge/emulator';
import { EventBridgeError } from '../eventbridge/model';
import { createIamRegistry, type IamRegistry } from '../iam';
import { createSqsService, type SqsService } from '../sqs/sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type Topology } from '../topology/model';
import { gate } from './auth';
import { provisionTopology } from './provision';
import { deliverToSqs } from './targets';

export interface EdgeOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  region?: string;
  accountId?: string;
  /** How often expired DynamoDB TTL items are deleted (default 2000 ms). */
  ttlSweepIntervalMs?: number;
  /** First EventBridge retry delay (default 1000 ms, doubling with jitter up to 60 s). */
  retryBaseDelayMs?: number;
  /** Fault injection: rule targets that refuse delivery attempts. */
  targetRefusal?: TargetRefusal;
  /**
   * Who may call (SigV4) and what (the functions' roles, the buses' policies).
   * Default: a registry that knows only the account admin `test` / `test`.
   */
  iam?: IamRegistry;
  log?: (message: string) => void;
}

export type EdgeService = 'dynamodb' | 'sqs' | 'events';

export interface Edge {
  /** `http://127.0.0.1:4566`: the value for AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  readonly eventBridge: EventBridgeEmulator;
  readonly sqs: SqsService;
  readonly dynamodb: DynamoDbService;
  /** The identities the edge verifies and the policies it evaluates. */
  readonly iam: IamRegistry;
  /** Creates the topology's tables (with TTL), queues (DLQs first), buses, rules and targets. Idempotent. */
  provision(topology: Topology): Promise<void>;
  stop(): Promise<void>;
}

const SERVICES: readonly EdgeService[] = ['dynamodb', 'sqs', 'events'];

/** Which service a request is for, or undefined. */
export function routeRequest(request: WireRequest): EdgeService | 'sqs-query' | undefined {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AmazonSQS.')) return 'sqs';
  if (target.startsWith('AWSEvents.')) return 'events';
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(
    String(request.headers.authorization ?? ''),
  );
  const service = scope?.[1];
  if (service === 'dynamodb' || service === 'events') return service;
  if (service === 'sqs') return target ? 'sqs' : 'sqs-query';
  if (/(^|&)Action=/.test(request.body.toString('latin1', 0, 4096))) return 'sqs-query';
  return undefined;
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const log = options.log ?? ((message: string) => console.warn(message));
  const iam = options.iam ?? createIamRegistry({ region, accountId });

  let handleRequest: (request: WireRequest) => Promise<WireResponse> = async () =>
    awsJsonError(503, 'ServiceUnavailable', 'The edge is starting.');
  const server = createServer((req, res) => void serve(req, res, handleRequest, log));
  const port = await listen(server, options.port, host);
  const url = `http://${host}:${port}`;

  const dynamodb = createDynamoDbService({
    ttlSweepIntervalMs: options.ttlSweepIntervalMs,
    log: (message) => log(`[dynamodb] ${message}`),
  });
  const sqs = await createSqsService({ region, host: `${host}:${port}` });
  const eventBridge = createEventBridge({
    region,
    accountId,
    deliver: deliverToSqs(sqs, { region, accountId }),
    retryBaseDelayMs: options.retryBaseDelayMs,
    ...(options.targetRefusal ? { refuse: options.targetRefusal } : {}),
    log: (message) => log(`[eventbridge] ${message}`),
  });

  handleRequest = async (request) => {
    if (request.method === 'GET' && /^\/(_localstack\/)?health\/?(\?.*)?$/.test(request.url)) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          services: Object.fromEntries(SERVICES.map((service) => [service, 'running'])),
          edition: 'live-comments-local-cloud',
        }),
      };
    }
    const service = routeRequest(request);
    let call: CallContext = {};
    if (service === 'dynamodb' || service === 'sqs' || service === 'events') {
      const outcome = await gate(iam, service, request);
      if ('refused' in outcome) return outcome.refused;
      if (outcome.refuseEntry) call = { refuseEntry: outcome.refuseEntry };
    }
    switch (service) {
      case 'dynamodb':
        return dynamodb.handle(request);
      case 'sqs':
        return sqs.handle(request);
      case 'events':
        return handleEvents(eventBridge, request, call);
      case 'sqs-query':
        return {
          status: 400,
          headers: { 'content-type': 'text/xml' },
          body:
            '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>' +
            '<Message>The local SQS speaks the JSON protocol only (X-Amz-Target: AmazonSQS.*); ' +
            'use AWS SDK v3 or aws-cli &gt;= 1.32.</Message></Error></ErrorResponse>',
        };
      default:
        return awsJsonError(
          400,
          'UnknownOperationException',
          `The edge serves DynamoDB, SQS and EventBridge; no service recognised for ${request.method} ${request.url}.`,
        );
    }
  };

  return {
    url,
    port,
    region,
    accountId,
    eventBridge,
    sqs,
    dynamodb,
    iam,
    provision: (topology) => provisionTopology(topology, { dynamodb, sqs, eventBridge }),
    async stop() {
      eventBridge.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([sqs.stop(), dynamodb.stop()]);
    },
  };
}

async function handleEvents(
  eventBridge: EventBridgeEmulator,
  request: WireRequest,
  call: CallContext,
): Promise<WireResponse> {
  const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AWSEvents\./, '');
  let input: unknown;
  try {
    input = jsonBody(request);
  } catch {
    return awsJsonError(400, 'SerializationException', 'Start of structure or map found where not expected.');
  }
  try {
    const output = await eventBridge.handle(operation, input, call);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify(output),
    };
  } catch (error) {
    if (error instanceof EventBridgeError) return awsJsonError(error.status, error.code, error.message);
    throw error;
  }
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: WireRequest) => Promise<WireResponse>,
  log: (message: string) => void,
) {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
    res.end(body);
  } catch (error) {
    log(
      `[edge] ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
    );
    if (!res.headersSent) {
      const response = awsJsonError(
        500,
        'InternalFailure',
        error instanceof Error ? error.message : String(error),
      );
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    } else {
      res.destroy();
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is in use (AWS edge). Set LC_EDGE_PORT=... or stop the other process.`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
