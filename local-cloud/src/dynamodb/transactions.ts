/**
 * TransactWriteItems and TransactGetItems, which dynalite lacks, built on its
 * single-item operations.
 *
 * A write transaction runs alone behind the gate (see gate.ts): it reads the
 * old image of every item it names, then applies each operation as the
 * ordinary conditional write it is (PutItem / DeleteItem / UpdateItem with its
 * ConditionExpression), so dynalite evaluates conditions and expressions
 * exactly as it does for single writes. No two operations may name the same
 * item, so each condition sees the item as it was before the transaction. If
 * any operation is refused, the items already changed get their old images
 * back before anyone else can read them.
 *
 * Wire behaviour follows AWS: one cancellation reason per item, in order
 * (`Message` with a capital M on TransactionCanceledException, as AWS sends
 * it and the SDK's model reads it); request-shape errors as
 * ValidationException before anything runs; a ClientRequestToken makes a
 * successful call idempotent for ten minutes.
 */

import { awsErrorCode, jsonBody, type WireResponse } from '../aws-wire';
import type { Gate } from './gate';
import { CONTENT_TYPE, json, validation } from './wire';

const NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
const MAX_ITEMS = 100;
const MAX_TOKEN_LENGTH = 36;
/** AWS keeps a ClientRequestToken for 10 minutes after the call completes. */
const TOKEN_TTL_SECONDS = 600;
/**
 * dynalite's ValidationExceptions that depend on the item's data rather than
 * on the request. AWS reports those per item (`ValidationError`) inside a
 * TransactionCanceledException; the rest reject the whole request.
 */
const ITEM_DATA_ERRORS = new Set([
  'The provided expression refers to an attribute that does not exist in the item',
  'An operand in the update expression has an incorrect data type',
  'The document path provided in the update expression is invalid for update',
  'Item size to update has exceeded the maximum allowed size',
]);

type AttributeMap = Record<string, unknown>;
type Input = Record<string, unknown>;

/** Calls one dynalite operation past the gate and returns its raw answer. */
export type Send = (operation: string, input: Input) => Promise<WireResponse>;

export interface TransactionsOptions {
  /** Only ever called from inside `gate.exclusive`. */
  send: Send;
  gate: Gate;
  /** Epoch seconds; drives the ClientRequestToken window. */
  nowSeconds: () => number;
}

export interface Transactions {
  writeItems(input: Input): Promise<WireResponse>;
  getItems(input: Input): Promise<WireResponse>;
}

type Kind = 'ConditionCheck' | 'Put' | 'Delete' | 'Update';
const KINDS: readonly Kind[] = ['ConditionCheck', 'Put', 'Delete', 'Update'];
/** Members each kind requires in AWS's model (the SDK sends whatever it is given). */
const REQUIRED: Record<Kind, readonly string[]> = {
  ConditionCheck: ['Key', 'TableName', 'ConditionExpression'],
  Put: ['Item', 'TableName'],
  Delete: ['Key', 'TableName'],
  Update: ['Key', 'UpdateExpression', 'TableName'],
};
const EXPRESSION_MEMBERS = ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'];

interface Operation {
  kind: Kind;
  spec: Input;
  table: string;
  /** The item's primary key; undefined for a Put whose item lacks a key attribute (PutItem refuses it). */
  key?: AttributeMap;
  /** The item before the transaction, undefined when it did not exist. */
  old?: AttributeMap;
}

interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: AttributeMap;
}

type Outcome = { applied: true } | { applied: false; reason: CancellationReason };

/** Ends a transaction early with an answer (a validation error, or dynalite's own error). */
class Answer {
  constructor(readonly response: WireResponse) {}
}

const errorBody = (type: string, body: Input): WireResponse => ({
  status: 400,
  headers: { 'content-type': CONTENT_TYPE },
  body: JSON.stringify({ __type: `${NAMESPACE}#${type}`, ...body }),
});

const isRecord = (value: unknown): value is Input =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const pick = (source: Input, names: readonly string[]): Input =>
  Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));

/** AWS's constraint-error envelope: "2 validation errors detected: ...; ...". */
const constraintErrors = (errors: string[]) =>
  validation(
    `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
  );
const mustNotBeNull = (path: string) =>
  `Value null at '${path}' failed to satisfy constraint: Member must not be null`;

/** Checks TransactItems' length and ClientRequestToken, as AWS's request validation does. */
const listErrors = (items: unknown, token: unknown): string[] => {
  const errors: string[] = [];
  if (!Array.isArray(items)) errors.push(mustNotBeNull('transactItems'));
  else if (items.length < 1 || items.length > MAX_ITEMS) {
    const bound = items.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ITEMS}`;
    errors.push(
      `Value '${items.length < 1 ? '[]' : `[${items.length} items]`}' at 'transactItems' ` +
        `failed to satisfy constraint: Member must have length ${bound}`,
    );
  }
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
    errors.push(
      `Value '${String(token)}' at 'clientRequestToken' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${MAX_TOKEN_LENGTH}`,
    );
  } else if (token === '') {
    errors.push(
      "Value '' at 'clientRequestToken' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 1',
    );
  }
  return errors;
};

/** Parses TransactWriteItems' entries; throws an Answer with AWS's ValidationException on a bad shape. */
const parseWriteItems = (items: unknown, token: unknown): Operation[] => {
  const errors = listErrors(items, token);
  if (errors.length > 0 || !Array.isArray(items)) throw new Answer(constraintErrors(errors));
  let oneKindEach = true;
  const operations = items.map((entry: unknown, index): Operation | undefined => {
    const kinds = isRecord(entry) ? KINDS.filter((kind) => entry[kind] != null) : [];
    const kind = kinds[0];
    const spec = isRecord(entry) && kind ? entry[kind] : undefined;
    if (kinds.length !== 1 || !kind || !isRecord(spec)) {
      oneKindEach = false;
      return undefined;
    }
    const path = `transactItems.${index + 1}.member.${lowerFirst(kind)}`;
    for (const member of REQUIRED[kind]) {
      if (spec[member] == null) errors.push(mustNotBeNull(`${path}.${lowerFirst(member)}`));
    }
    const returnValues = spec.ReturnValuesOnConditionCheckFailure;
    if (returnValues !== undefined && returnValues !== 'ALL_OLD' && returnValues !== 'NONE') {
      errors.push(
        `Value '${String(returnValues)}' at '${path}.returnValuesOnConditionCheckFailure' ` +
          'failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]',
      );
    }
    return { kind, spec, table: String(spec.TableName) };
  });
  if (errors.length > 0) throw new Answer(constraintErrors(errors));
  if (!oneKindEach) {
    throw new Answer(validation('TransactItems can only contain one of Check, Put, Update or Delete'));
  }
  return operations.filter((operation) => operation !== undefined);
};

/** Parses TransactGetItems' entries; throws an Answer with AWS's ValidationException on a bad shape. */
const parseGetItems = (items: unknown): Input[] => {
  const errors = listErrors(items, undefined);
  if (errors.length > 0 || !Array.isArray(items)) throw new Answer(constraintErrors(errors));
  const gets = items.map((entry: unknown, index) => {
    const get = isRecord(entry) ? entry.Get : undefined;
    const path = `transactItems.${index + 1}.member.get`;
    if (!isRecord(get)) errors.push(mustNotBeNull(path));
    else if (get.Key == null) errors.push(mustNotBeNull(`${path}.key`));
    else if (get.TableName == null) errors.push(mustNotBeNull(`${path}.tableName`));
    return isRecord(get) ? get : {};
  });
  if (errors.length > 0) throw new Answer(constraintErrors(errors));
  return gets;
};

/** The error code (without its namespace) and message of a dynalite refusal. */
const refusalOf = (response: WireResponse): { type: string; message: string } => {
  const body = jsonBody(response);
  return { type: awsErrorCode(body), message: String(body.message ?? '') };
};

export function createTransactions({ send, gate, nowSeconds }: TransactionsOptions): Transactions {
  /** ClientRequestToken → the successful request it came with, and when it stops counting. */
  const tokens = new Map<string, { fingerprint: string; expiresAt: number }>();

  /** Calls dynalite; a refusal ends the transaction with dynalite's answer as it stands. */
  const sendOrAnswer = async <T>(operation: string, input: Input): Promise<T> => {
    const response = await send(operation, input);
    if (response.status !== 200) throw new Answer(response);
    return jsonBody(response) as T;
  };

  /** Names of each table's key attributes, looked up once per transaction. */
  const keyNamesOf = (cache: Map<string, Promise<string[]>>, table: string): Promise<string[]> => {
    let names = cache.get(table);
    if (!names) {
      names = sendOrAnswer<{ Table: { KeySchema: { AttributeName: string }[] } }>('DescribeTable', {
        TableName: table,
      }).then(({ Table }) => Table.KeySchema.map((key) => key.AttributeName));
      cache.set(table, names);
    }
    return names;
  };

  /** Fills each operation's key (a Put's from its item) and refuses two operations on one item. */
  const resolveKeys = async (operations: Operation[]) => {
    const keyNames = new Map<string, Promise<string[]>>();
    const seen = new Set<string>();
    for (const operation of operations) {
      if (operation.kind === 'Put') {
        const item = operation.spec.Item as AttributeMap;
        const names = await keyNamesOf(keyNames, operation.table);
        if (names.every((name) => item[name] !== undefined)) operation.key = pick(item, names);
      } else {
        operation.key = operation.spec.Key as AttributeMap;
      }
      if (!operation.key) continue;
      const entries = Object.entries(operation.key).sort(([a], [b]) => (a < b ? -1 : 1));
      const identity = JSON.stringify([operation.table, entries]);
      if (seen.has(identity)) {
        throw new Answer(validation('Transaction request cannot include multiple operations on one item'));
      }
      seen.add(identity);
    }
  };

  const readOldImages = async (operations: Operation[]) => {
    for (const operation of operations) {
      if (!operation.key) continue;
      const { Item } = await sendOrAnswer<{ Item?: AttributeMap }>('GetItem', {
        TableName: operation.table,
        Key: operation.key,
        ConsistentRead: true,
      });
      operation.old = Item;
    }
  };

  /**
   * The ordinary write that applies (or, for a ConditionCheck, only evaluates)
   * one operation. A ConditionCheck writes the old image back under its
   * condition (or deletes the absent item), so it changes nothing either way.
   */
  const writeFor = ({ kind, spec, table, key, old }: Operation): [string, Input] => {
    const expressions = pick(spec, EXPRESSION_MEMBERS);
    switch (kind) {
      case 'Put':
        return ['PutItem', { TableName: table, Item: spec.Item, ...expressions }];
      case 'Delete':
        return ['DeleteItem', { TableName: table, Key: key, ...expressions }];
      case 'Update':
        return [
          'UpdateItem',
          { TableName: table, Key: key, UpdateExpression: spec.UpdateExpression, ...expressions },
        ];
      case 'ConditionCheck':
        return old
          ? ['PutItem', { TableName: table, Item: old, ...expressions }]
          : ['DeleteItem', { TableName: table, Key: key, ...expressions }];
    }
  };

  /** Applies one operation; a refusal that AWS reports per item becomes its cancellation reason. */
  const apply = async (operation: Operation): Promise<Outcome> => {
    const [name, input] = writeFor(operation);
    const response = await send(name, input);
    if (response.status === 200) return { applied: true };
    const { type, message } = refusalOf(response);
    if (type === 'ConditionalCheckFailedException') {
      const returnOld = operation.spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && operation.old;
      return {
        applied: false,
        reason: {
          Code: 'ConditionalCheckFailed',
          Message: message,
          ...(returnOld ? { Item: operation.old } : {}),
        },
      };
    }
    if (type === 'ValidationException' && ITEM_DATA_ERRORS.has(message)) {
      return { applied: false, reason: { Code: 'ValidationError', Message: message } };
    }
    throw new Answer(response);
  };

  /** Puts every changed item back as it was (latest change first). */
  const restore = async (changed: Operation[]) => {
    for (const { table, key, old } of changed.reverse()) {
      const response = old
        ? await send('PutItem', { TableName: table, Item: old })
        : await send('DeleteItem', { TableName: table, Key: key });
      if (response.status !== 200) {
        throw new Error(`Rolling back a transaction on ${table} failed: ${response.body.toString()}`);
      }
    }
  };

  /** Applies every operation (each is evaluated, for its reason); undoes them all unless all applied. */
  const applyAll = async (operations: Operation[]): Promise<CancellationReason[] | undefined> => {
    const changed: Operation[] = [];
    const reasons: CancellationReason[] = [];
    try {
      for (const operation of operations) {
        const outcome = await apply(operation);
        if (outcome.applied && operation.kind !== 'ConditionCheck') changed.push(operation);
        reasons.push(outcome.applied ? { Code: 'None' } : outcome.reason);
      }
    } catch (error) {
      await restore(changed);
      throw error;
    }
    if (reasons.every((reason) => reason.Code === 'None')) return undefined;
    await restore(changed);
    return reasons;
  };

  const cancelled = (reasons: CancellationReason[]) =>
    errorBody('TransactionCanceledException', {
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
        .map((reason) => reason.Code)
        .join(', ')}]`,
      CancellationReasons: reasons,
    });

  /** The answer to a token seen in the last ten minutes, or undefined for a new one. */
  const replay = (token: string | undefined, fingerprint: string): WireResponse | undefined => {
    const now = nowSeconds();
    // Tokens expire in the order they were stored.
    for (const [stored, { expiresAt }] of tokens) {
      if (expiresAt > now) break;
      tokens.delete(stored);
    }
    const previous = token === undefined ? undefined : tokens.get(token);
    if (!previous) return undefined;
    if (previous.fingerprint === fingerprint) return json({});
    return errorBody('IdempotentParameterMismatchException', {
      Message: 'Request with the same client request token was submitted earlier with different parameters',
    });
  };

  const writeItems = async (input: Input): Promise<WireResponse> => {
    const token = input.ClientRequestToken as string | undefined;
    const { ClientRequestToken: _token, ...request } = input;
    const fingerprint = JSON.stringify(request);
    try {
      const operations = parseWriteItems(input.TransactItems, token);
      return await gate.exclusive(async () => {
        const replayed = replay(token, fingerprint);
        if (replayed) return replayed;
        await resolveKeys(operations);
        await readOldImages(operations);
        const reasons = await applyAll(operations);
        if (reasons) return cancelled(reasons);
        // Only a transaction that went through is remembered: AWS runs a retry of a refused one again.
        if (token !== undefined)
          tokens.set(token, { fingerprint, expiresAt: nowSeconds() + TOKEN_TTL_SECONDS });
        return json({});
      });
    } catch (error) {
      if (error instanceof Answer) return error.response;
      throw error;
    }
  };

  /** Reads every item consistently, with no write in between. */
  const getItems = async (input: Input): Promise<WireResponse> => {
    try {
      const gets = parseGetItems(input.TransactItems);
      return await gate.exclusive(async () => {
        const responses: { Item?: AttributeMap }[] = [];
        for (const get of gets) {
          const { Item } = await sendOrAnswer<{ Item?: AttributeMap }>('GetItem', {
            ...pick(get, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']),
            ConsistentRead: true,
          });
          responses.push(Item ? { Item } : {});
        }
        return json({ Responses: responses });
      });
    } catch (error) {
      if (error instanceof Answer) return error.response;
      throw error;
    }
  };

  return { writeItems, getItems };
}
