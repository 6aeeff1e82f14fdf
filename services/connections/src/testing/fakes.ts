import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { SignedRequest, Transport, TransportResponse } from '../adapters/connections-api';
import { buildConnectionsTable, type Tables } from '../adapters/connections-table';
import { buildSubscriptionsTable } from '../adapters/subscriptions-table';
import type { ConnectionStore } from '../domain/ports';

/** Answers of API Gateway's `@connections`, as its wire shows them. */
export const answers = {
  ok: { status: 200, headers: {}, body: '' },
  gone: { status: 410, headers: { 'x-amzn-errortype': 'GoneException' }, body: '{"message":null}' },
  throttled: {
    status: 429,
    headers: { 'x-amzn-errortype': 'LimitExceededException' },
    body: '{"message":"Too Many Requests"}',
  },
  internalError: {
    status: 500,
    headers: { 'x-amzn-errortype': 'InternalServerErrorException' },
    body: '{"message":"Internal server error"}',
  },
} satisfies Record<string, TransportResponse>;

export interface SentFrame {
  connectionId: string;
  frame: Record<string, unknown>;
  request: SignedRequest;
}

/** Answers a call by whatever rule a test sets (a limit, an outage), or leaves it to the scripts. */
export type Responder = (connectionId: string) => TransportResponse | Error | undefined;

/**
 * The `@connections` endpoint in memory, behind the real connections API
 * client (signing, paths and error mapping run as in production): records
 * each request and answers as its responder says, else as scripted per
 * connection id ('*' for any), the last scripted answer repeating;
 * unscripted calls are answered 200.
 */
export const fakeGateway = () => {
  const sent: SentFrame[] = [];
  const scripts = new Map<string, (TransportResponse | Error)[]>();
  let responder: Responder | undefined;
  /** Connection ids, each time a frame was accepted (answered 2xx). */
  const delivered: string[] = [];
  /** DeleteConnection calls (answered or not), by connection id. */
  const deleted: { connectionId: string; request: SignedRequest }[] = [];

  const transport: Transport = async (request) => {
    const connectionId = decodeURIComponent(request.path.split('/@connections/')[1] ?? '');
    if (request.method === 'DELETE') deleted.push({ connectionId, request });
    else {
      sent.push({
        connectionId,
        frame: JSON.parse(Buffer.from(request.body).toString('utf8')) as Record<string, unknown>,
        request,
      });
    }
    const script = scripts.get(connectionId) ?? scripts.get('*');
    const answer =
      responder?.(connectionId) ?? (script && script.length > 1 ? script.shift() : script?.[0]) ?? answers.ok;
    if (answer instanceof Error) throw answer;
    if (answer.status >= 200 && answer.status < 300 && request.method === 'POST')
      delivered.push(connectionId);
    return answer;
  };

  return {
    transport,
    sent,
    delivered,
    deleted,
    /** Scripts the answers to a connection's calls, in order; an Error is a call that got no answer. */
    answer(connectionId: string, ...script: (TransportResponse | Error)[]) {
      scripts.set(connectionId, script);
    },
    /** Answers every call by a rule first (e.g. `accountLimit`); undefined leaves it to the scripts. */
    respond(rule: Responder | undefined) {
      responder = rule;
    },
    reset() {
      sent.length = 0;
      delivered.length = 0;
      deleted.length = 0;
      scripts.clear();
      responder = undefined;
    },
  };
};

/**
 * API Gateway's account limit as a token bucket on `Date.now()` (fake
 * timers move it): `perSecond` calls a second, up to `burst` at once;
 * beyond it, 429 LimitExceededException. Counts what it refused.
 */
export const accountLimit = ({ perSecond, burst }: { perSecond: number; burst: number }) => {
  let tokens = burst;
  let at = Date.now();
  const limit = {
    refused: 0,
    responder: ((): TransportResponse | undefined => {
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - at) * perSecond) / 1000);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      limit.refused++;
      return answers.throttled;
    }) satisfies Responder,
  };
  return limit;
};

/**
 * The service's tables on a DynamoDB document client that aws-sdk-client-mock
 * answers: script `documents` in each test (and reset it after each).
 */
export const mockedTables = (
  tables: Tables = { connections: 'connections', subscriptions: 'subscriptions' },
) => {
  const documents = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  return {
    documents,
    connections: buildConnectionsTable({ client, tables }),
    subscriptions: buildSubscriptionsTable({ client, tables }),
  };
};

/** Scripts the mocked tables for closing an open connection subscribed to `topics`. */
export const scriptOpenConnection = (
  documents: ReturnType<typeof mockedTables>['documents'],
  connectionId: string,
  topics: string[],
) => {
  documents
    .on(QueryCommand, {
      IndexName: 'byConnection',
      ExpressionAttributeValues: { ':connectionId': connectionId },
    })
    .resolves({ Items: topics.map((topic) => ({ topic, connectionId })) });
  documents.on(DeleteCommand, { Key: { connectionId } }).resolves({ Attributes: { connectionId } });
  documents.on(BatchWriteCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
};

/**
 * The frame budgets of the connections table in memory: `spendFrame` as the
 * adapter's conditional writes do it, per connection; `forget` is a closed
 * connection (no record).
 */
export const fakeFrameBudgets = () => {
  const tats = new Map<string, number>();
  const gone = new Set<string>();
  const spendFrame: ConnectionStore['spendFrame'] = async (connectionId, now, intervalMs) => {
    if (gone.has(connectionId)) return undefined;
    const next = Math.max(tats.get(connectionId) ?? now, now) + intervalMs;
    tats.set(connectionId, next);
    return next;
  };
  return {
    spendFrame,
    forget(connectionId: string) {
      gone.add(connectionId);
    },
  };
};
