/**
 * Which IAM actions on which resources an API call needs, as AWS authorizes
 * it: DynamoDB's transactions per item (PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem, GetItem on each item's table), its batches per table,
 * a Query or Scan of an index on `table/<t>/index/<i>`; SQS's batch calls as
 * their single actions on the queue; EventBridge's PutEvents per entry on its
 * bus with `events:source` and `events:detail-type`; `@connections` calls as
 * execute-api:ManageConnections on the connection.
 */

import type { AuthorizationRequest } from './evaluate';

export interface Scope {
  region: string;
  accountId: string;
}

type Body = Record<string, unknown>;

const record = (value: unknown): Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A table named by name or ARN. */
const tableArn = (scope: Scope, name: unknown): string => {
  const table = String(name ?? '');
  return table.startsWith('arn:')
    ? table
    : `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${table}`;
};

const TRANSACT_WRITE: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

export function dynamoDbRequests(scope: Scope, operation: string, body: Body): AuthorizationRequest[] {
  switch (operation) {
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return list(body.TransactItems).flatMap((item) =>
        Object.entries(record(item)).flatMap(([kind, detail]) => {
          const action = operation === 'TransactGetItems' ? 'dynamodb:GetItem' : TRANSACT_WRITE[kind];
          return action ? [{ action, resource: tableArn(scope, record(detail).TableName) }] : [];
        }),
      );
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return Object.keys(record(body.RequestItems)).map((table) => ({
        action: `dynamodb:${operation}`,
        resource: tableArn(scope, table),
      }));
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    default: {
      const table = body.TableName ?? body.TableArn ?? body.ResourceArn;
      if (table === undefined) return [{ action: `dynamodb:${operation}`, resource: '*' }];
      const arn = tableArn(scope, table);
      const index = typeof body.IndexName === 'string' ? `/index/${body.IndexName}` : '';
      return [{ action: `dynamodb:${operation}`, resource: `${arn}${index}` }];
    }
  }
}

/** The batch calls need the permission of their single call (there is no sqs:SendMessageBatch). */
const SQS_ACTION: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** `http://127.0.0.1:4566/000000000000/<name>` (any host) -> the queue's ARN. */
export function queueArnOfUrl(scope: Scope, url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0] ?? '';
  const [account, name] = path.split('/').filter(Boolean);
  return `arn:aws:sqs:${scope.region}:${account ?? scope.accountId}:${name ?? ''}`;
}

export function sqsRequests(scope: Scope, operation: string, body: Body): AuthorizationRequest[] {
  const action = `sqs:${SQS_ACTION[operation] ?? operation}`;
  if (typeof body.QueueUrl === 'string') return [{ action, resource: queueArnOfUrl(scope, body.QueueUrl) }];
  if (typeof body.QueueName === 'string') {
    const account =
      typeof body.QueueOwnerAWSAccountId === 'string' ? body.QueueOwnerAWSAccountId : scope.accountId;
    return [{ action, resource: `arn:aws:sqs:${scope.region}:${account}:${body.QueueName}` }];
  }
  return [{ action, resource: '*' }];
}

export const busArn = (scope: Scope, nameOrArn: unknown): string => {
  const bus = typeof nameOrArn === 'string' && nameOrArn !== '' ? nameOrArn : 'default';
  return bus.startsWith('arn:') ? bus : `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${bus}`;
};

export function eventBridgeRequests(scope: Scope, operation: string, body: Body): AuthorizationRequest[] {
  if (operation === 'PutEvents') {
    return list(body.Entries).map((entry) => {
      const fields = record(entry);
      const context: Record<string, string> = {};
      if (typeof fields.Source === 'string') context['events:source'] = fields.Source;
      if (typeof fields.DetailType === 'string') context['events:detail-type'] = fields.DetailType;
      return { action: 'events:PutEvents', resource: busArn(scope, fields.EventBusName), context };
    });
  }
  const bus = busArn(scope, body.EventBusName);
  const busName = bus.slice(bus.indexOf(':event-bus/') + ':event-bus/'.length);
  const ruleName = operation.endsWith('Targets') ? body.Rule : body.Name;
  if (/Rule|Targets/.test(operation) && typeof ruleName === 'string') {
    const prefix = busName === 'default' ? '' : `${busName}/`;
    return [
      {
        action: `events:${operation}`,
        resource: `arn:aws:events:${scope.region}:${scope.accountId}:rule/${prefix}${ruleName}`,
      },
    ];
  }
  if (/EventBus/.test(operation)) {
    return [{ action: `events:${operation}`, resource: busArn(scope, body.Name ?? body.EventBusName) }];
  }
  return [{ action: `events:${operation}`, resource: '*' }];
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/@connections/<id>` */
export function manageConnectionsRequest(
  scope: Scope,
  call: { apiId: string; stage: string; method: string; connectionId: string },
): AuthorizationRequest {
  return {
    action: 'execute-api:ManageConnections',
    resource: `arn:aws:execute-api:${scope.region}:${scope.accountId}:${call.apiId}/${call.stage}/${call.method}/@connections/${call.connectionId}`,
  };
}
