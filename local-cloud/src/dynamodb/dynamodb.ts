/**
 * DynamoDB through dynalite, in process (its request handler is called with
 * the buffered request; it never listens on a port), plus Time to Live, which
 * dynalite lacks: UpdateTimeToLive / DescribeTimeToLive are answered here, and
 * a sweeper deletes expired items of TTL-enabled tables every 30 seconds.
 *
 * TTL follows AWS's rules for which items expire (the attribute is a Number of
 * epoch seconds, in the past, and not more than five years in the past) but
 * not its timing: AWS deletes "within a few days", locally it is within
 * `ttlSweepIntervalMs`. The sweeper Scans (that is the emulator, not app
 * code) in small pages and yields between them: dynalite runs on the
 * gateway's thread, and a sweep of 20,000 items in one go held it for
 * ~100 ms.
 *
 * TransactWriteItems / TransactGetItems (also missing from dynalite) live in
 * transactions.ts; every call to dynalite passes the gate of gate.ts, which
 * lets a transaction run alone.
 *
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD` on PutItem, UpdateItem and
 * DeleteItem (dynalite ignores it) is answered here: a write its condition
 * refuses runs again alone behind the gate, and when refused again the item
 * as it stood is read in the same turn and returned in the error's `Item`, as
 * AWS does.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import dynalite from 'dynalite';
import { awsErrorCode, awsJsonError, jsonBody, type WireRequest, type WireResponse } from '../aws-wire';
import { createGate } from './gate';
import { createTransactions } from './transactions';
import { CONTENT_TYPE, json, operationRequest, validation } from './wire';

const FIVE_YEARS_SECONDS = 5 * 365 * 24 * 3600;
/** AWS deletes expired items "within a few days"; locally within half a minute. */
const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
/** Items a sweep reads per Scan call before it yields the thread. */
const SWEEP_PAGE_ITEMS = 1000;

export class DynamoDbCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DynamoDbCallError';
  }
}

export interface DynamoDbService {
  handle(request: WireRequest): Promise<WireResponse>;
  /** Calls one DynamoDB operation in process. Throws DynamoDbCallError on AWS errors. */
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  /**
   * Resolves when the table and its indexes are ACTIVE (or, with `gone`, when it no longer exists).
   * dynalite, like AWS, refuses item calls while a table is CREATING, even with createTableMs: 0.
   */
  waitForTable(tableName: string, gone?: boolean): Promise<void>;
  /** Enables TTL on a table unless it already is (provisioning is idempotent). */
  ensureTimeToLive(tableName: string, attributeName: string): void;
  /** Deletes every expired item now; returns how many went. */
  sweepExpiredItems(): Promise<number>;
  stop(): Promise<void>;
}

export interface DynamoDbServiceOptions {
  ttlSweepIntervalMs?: number;
  /** Epoch seconds; injectable so tests can move time. */
  nowSeconds?: () => number;
  log?: (message: string) => void;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The input of a write that asks for ALL_OLD when its condition fails (cheap test first: most do not). */
const returnsOldOnConditionFailure = (request: WireRequest): Record<string, unknown> | undefined => {
  if (!request.body.includes('ReturnValuesOnConditionCheckFailure')) return undefined;
  try {
    const input = jsonBody(request) as Record<string, unknown>;
    return input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? input : undefined;
  } catch {
    return undefined;
  }
};

export function createDynamoDbService(options: DynamoDbServiceOptions = {}): DynamoDbService {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const handler = server.listeners('request')[0] as Handler;
  const nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
  const log = options.log ?? ((message: string) => console.warn(`[dynamodb] ${message}`));
  /** TTL attribute by table name, for tables with TTL enabled. */
  const ttl = new Map<string, string>();

  /** Runs dynalite's handler on a buffered request and collects its answer; past the gate. */
  const dispatchAlone = (request: WireRequest): Promise<WireResponse> =>
    new Promise((resolve) => {
      const fakeRequest = Object.assign(Readable.from(request.body.length > 0 ? [request.body] : []), {
        method: request.method,
        url: request.url,
        headers: request.headers,
      });
      const headers: Record<string, string> = {};
      const fakeResponse = {
        statusCode: 200,
        contentType: CONTENT_TYPE,
        setHeader(name: string, value: unknown) {
          headers[name.toLowerCase()] = String(value);
        },
        getHeader: (name: string) => headers[name.toLowerCase()],
        end(body?: string | Buffer) {
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          resolve({ status: fakeResponse.statusCode, headers, body: body ?? '' });
        },
      };
      handler(fakeRequest as unknown as IncomingMessage, fakeResponse as unknown as ServerResponse);
    });

  const gate = createGate();
  const dispatch = (request: WireRequest) => gate.shared(dispatchAlone, request);

  const call = async <T>(operation: string, input: Record<string, unknown>): Promise<T> => {
    const response = await dispatch(operationRequest(operation, input));
    const parsed = jsonBody(response);
    if (response.status >= 300) throw new DynamoDbCallError(awsErrorCode(parsed), String(parsed.message));
    return parsed as T;
  };

  /** Answers from dynalite when the table is missing, so the error is exactly dynalite's. */
  const tableError = async (tableName: string): Promise<WireResponse | undefined> => {
    try {
      await call('DescribeTable', { TableName: tableName });
      return undefined;
    } catch (error) {
      if (error instanceof DynamoDbCallError) {
        return awsJsonError(
          400,
          `com.amazonaws.dynamodb.v20120810#${error.code}`,
          error.message,
          CONTENT_TYPE,
        );
      }
      throw error;
    }
  };

  const updateTimeToLive = async (input: Record<string, unknown>): Promise<WireResponse> => {
    const tableName = input.TableName;
    const specification = input.TimeToLiveSpecification as
      | { Enabled?: unknown; AttributeName?: unknown }
      | undefined;
    if (typeof tableName !== 'string' || typeof specification?.Enabled !== 'boolean') {
      return validation('TableName and TimeToLiveSpecification.Enabled are required');
    }
    const attribute = specification.AttributeName;
    if (typeof attribute !== 'string' || attribute === '') {
      return validation('TimeToLiveSpecification.AttributeName is required');
    }
    const missing = await tableError(tableName);
    if (missing) return missing;
    const current = ttl.get(tableName);
    if (specification.Enabled) {
      if (current !== undefined) return validation('TimeToLive is already enabled');
      ttl.set(tableName, attribute);
    } else {
      if (current === undefined) return validation('TimeToLive is already disabled');
      ttl.delete(tableName);
    }
    return json({ TimeToLiveSpecification: { Enabled: specification.Enabled, AttributeName: attribute } });
  };

  const describeTimeToLive = async (input: Record<string, unknown>): Promise<WireResponse> => {
    const tableName = input.TableName;
    if (typeof tableName !== 'string') return validation('TableName is required');
    const missing = await tableError(tableName);
    if (missing) return missing;
    const attribute = ttl.get(tableName);
    return json({
      TimeToLiveDescription:
        attribute === undefined
          ? { TimeToLiveStatus: 'DISABLED' }
          : { TimeToLiveStatus: 'ENABLED', AttributeName: attribute },
    });
  };

  /** The key of the item a single-item write names (PutItem's from its item and the table's key schema); inside the gate. */
  const keyOf = async (operation: string, input: Record<string, unknown>) => {
    if (operation !== 'PutItem') return input.Key;
    const item = (input.Item ?? {}) as Record<string, unknown>;
    const described = jsonBody(
      await dispatchAlone(operationRequest('DescribeTable', { TableName: input.TableName })),
    ) as { Table?: { KeySchema: { AttributeName: string }[] } };
    return Object.fromEntries(
      (described.Table?.KeySchema ?? []).map((key) => [key.AttributeName, item[key.AttributeName]]),
    );
  };

  /**
   * A single-item write that asks for the item back when its condition fails.
   * It runs as any other first (most pass, and pay nothing more); a refused
   * one runs again alone behind the gate, and if refused again the item read
   * in the same turn is the one the condition saw. Running it again is sound:
   * the first run changed nothing, so the write simply takes effect (or is
   * refused) at the later moment, still within its request, as a write racing
   * others may in AWS.
   */
  const writeReturningOld = async (
    operation: string,
    request: WireRequest,
    input: Record<string, unknown>,
  ) => {
    const refused = (response: WireResponse) =>
      response.status >= 300 && awsErrorCode(jsonBody(response)) === 'ConditionalCheckFailedException';
    const first = await dispatch(request);
    if (!refused(first)) return first;
    return gate.exclusive(async () => {
      const response = await dispatchAlone(request);
      if (!refused(response)) return response;
      const key = await keyOf(operation, input);
      const got = jsonBody(
        await dispatchAlone(
          operationRequest('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true }),
        ),
      ) as { Item?: unknown };
      if (!got.Item) return response;
      return { ...response, body: JSON.stringify({ ...jsonBody(response), Item: got.Item }) };
    });
  };

  const transactions = createTransactions({
    // The transaction already holds the gate exclusively.
    send: (operation, input) => dispatchAlone(operationRequest(operation, input)),
    gate,
    nowSeconds,
  });
  /** Operations answered here rather than by dynalite. */
  const localOperations = new Map<string, (input: Record<string, unknown>) => Promise<WireResponse>>([
    ['UpdateTimeToLive', updateTimeToLive],
    ['DescribeTimeToLive', describeTimeToLive],
    ['TransactWriteItems', transactions.writeItems],
    ['TransactGetItems', transactions.getItems],
  ]);

  const handle = async (request: WireRequest): Promise<WireResponse> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.split('.')[1] ?? '';
    const local = localOperations.get(operation);
    if (local) {
      let input: unknown;
      try {
        input = jsonBody(request);
      } catch {
        return awsJsonError(
          400,
          'com.amazon.coral.service#SerializationException',
          'Malformed JSON',
          CONTENT_TYPE,
        );
      }
      const record = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
      return local(record);
    }
    if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
      const input = returnsOldOnConditionFailure(request);
      if (input) return writeReturningOld(operation, request, input);
    }
    const response = await dispatch(request);
    // A table created or deleted starts without TTL, as a new table does in AWS.
    if ((operation === 'DeleteTable' || operation === 'CreateTable') && response.status === 200) {
      try {
        const name = (JSON.parse(request.body.toString()) as { TableName?: unknown }).TableName;
        if (typeof name === 'string') ttl.delete(name);
      } catch {
        // dynalite already answered a malformed body.
      }
    }
    return response;
  };

  const sweepTable = async (tableName: string, attribute: string): Promise<number> => {
    const now = Math.floor(nowSeconds());
    const { Table } = await call<{ Table: { KeySchema: { AttributeName: string }[] } }>('DescribeTable', {
      TableName: tableName,
    });
    const keyNames = Table.KeySchema.map((key) => key.AttributeName);
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await call<{
        Items?: Record<string, { N?: string }>[];
        LastEvaluatedKey?: Record<string, unknown>;
      }>('Scan', {
        TableName: tableName,
        FilterExpression: '#ttl <= :now AND #ttl > :oldest',
        ExpressionAttributeNames: { '#ttl': attribute },
        ExpressionAttributeValues: {
          ':now': { N: String(now) },
          ':oldest': { N: String(now - FIVE_YEARS_SECONDS) },
        },
        Limit: SWEEP_PAGE_ITEMS,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      for (const item of page.Items ?? []) {
        const key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
        try {
          // Only if the TTL is unchanged: an item refreshed meanwhile must survive.
          await call('DeleteItem', {
            TableName: tableName,
            Key: key,
            ConditionExpression: '#ttl = :expiry',
            ExpressionAttributeNames: { '#ttl': attribute },
            ExpressionAttributeValues: { ':expiry': item[attribute] },
          });
          deleted++;
        } catch (error) {
          if (!(error instanceof DynamoDbCallError && error.code === 'ConditionalCheckFailedException'))
            throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
      // Let requests waiting on this thread through between pages.
      if (startKey) await new Promise((resolve) => setImmediate(resolve));
    } while (startKey);
    return deleted;
  };

  const sweepExpiredItems = async (): Promise<number> => {
    let deleted = 0;
    for (const [tableName, attribute] of [...ttl]) {
      try {
        deleted += await sweepTable(tableName, attribute);
      } catch (error) {
        if (error instanceof DynamoDbCallError && error.code === 'ResourceNotFoundException')
          ttl.delete(tableName);
        else log(`TTL sweep of ${tableName} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    return deleted;
  };

  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweepExpiredItems);
  }, options.ttlSweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    handle,
    call,
    async waitForTable(tableName, gone = false) {
      for (let attempt = 0; attempt < 500; attempt++) {
        try {
          const { Table } = await call<{
            Table: { TableStatus: string; GlobalSecondaryIndexes?: { IndexStatus: string }[] };
          }>('DescribeTable', { TableName: tableName });
          const indexesActive = (Table.GlobalSecondaryIndexes ?? []).every(
            (index) => index.IndexStatus === 'ACTIVE',
          );
          if (!gone && Table.TableStatus === 'ACTIVE' && indexesActive) return;
        } catch (error) {
          if (!(error instanceof DynamoDbCallError && error.code === 'ResourceNotFoundException'))
            throw error;
          if (gone) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`Table ${tableName} did not become ${gone ? 'deleted' : 'ACTIVE'} in time`);
    },
    ensureTimeToLive(tableName, attributeName) {
      ttl.set(tableName, attributeName);
    },
    sweepExpiredItems,
    async stop() {
      clearInterval(timer);
      await sweeping;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
