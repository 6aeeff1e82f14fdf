/**
 * What a function's code calls on AWS: kept beside its handler as
 * `src/handlers/<handler>.permissions.ts` (`export const permissions`), one
 * entry per thing acted on. It is checked against the function's role in the
 * packaged template (scripts/permissions/roles.integration.test.ts: the role
 * grants exactly these, besides what every role holds) and against the code
 * the handler reaches (scripts/permissions/code.test.ts: nothing listed that
 * the code never calls). Keys:
 * - a resource of the function's own stack by logical id (`PostsTable`, `FanOutQueue`);
 * - an index of a table, `<table logical id>/index/<index name>`;
 * - `EventBus`: the stage's bus (the events stack), PutEvents of the service's own source only;
 * - `WebsocketsApi`: `POST @connections` of the stack's WebSocket API stage (a frame);
 * - `WebsocketsApi/DELETE`: `DELETE @connections` (closing a connection).
 * Not listed: what every role holds (its own log group, X-Ray) and what an
 * SQS event source needs (Lambda polls the queue with the function's role):
 * the checks take those from the template.
 */
export type DynamoDbAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'Query'
  | 'BatchGetItem'
  | 'BatchWriteItem';

export type Action =
  | `dynamodb:${DynamoDbAction}`
  | 'events:PutEvents'
  | 'sqs:SendMessage'
  | 'execute-api:ManageConnections';

export type FunctionPermissions = Readonly<Record<string, readonly Action[]>>;

/**
 * Actions the handler's code reaches but the function never calls at run time
 * (a branch it cannot take), each with why: not granted, and named so the
 * check of the code (which follows every branch) knows them.
 */
export type NotGranted = Readonly<Partial<Record<Action, string>>>;
