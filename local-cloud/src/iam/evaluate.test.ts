import { describe, expect, it } from 'vitest';
import { dynamoDbRequests, eventBridgeRequests, manageConnectionsRequest, sqsRequests } from './actions';
import { deniedMessage, evaluate } from './evaluate';
import { type CallerPrincipal, compilePolicy, PolicyError } from './policy';

const caller: CallerPrincipal = {
  roleArn: 'arn:aws:iam::000000000000:role/posts-publisher',
  sessionArn: 'arn:aws:sts::000000000000:assumed-role/posts-publisher/live-comments-posts-local-createPost',
  accountId: '000000000000',
};
const other: CallerPrincipal = {
  roleArn: 'arn:aws:iam::000000000000:role/comments-reader',
  sessionArn:
    'arn:aws:sts::000000000000:assumed-role/comments-reader/live-comments-comments-local-listComments',
  accountId: '000000000000',
};
const table = (name: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
const bus = 'arn:aws:events:us-east-1:000000000000:event-bus/live-comments-local';
const scope = { region: 'us-east-1', accountId: '000000000000' };

const identity = (statements: unknown[]) => compilePolicy(statements, { resourcePolicy: false });
const allowedBy = (statements: unknown[], action: string, resource: string, context = {}, who = caller) =>
  evaluate(who, identity(statements), [], { action, resource, context }).allowed;

describe('evaluate (identity policies)', () => {
  it('denies what no statement allows', () => {
    expect(evaluate(caller, [], [], { action: 'dynamodb:GetItem', resource: table('t') })).toEqual({
      allowed: false,
      reason: 'no-allow',
      conditionKeys: [],
    });
  });

  it('matches actions case-insensitively and with * and ? wildcards, resources case-sensitively', () => {
    const statements = [
      { Effect: 'Allow', Action: ['DynamoDB:get*', 'dynamodb:Quer?'], Resource: `${table('posts')}*` },
    ];
    expect(allowedBy(statements, 'dynamodb:GetItem', table('posts'))).toBe(true);
    expect(allowedBy(statements, 'dynamodb:Query', `${table('posts')}/index/byAuthor`)).toBe(true);
    expect(allowedBy(statements, 'dynamodb:PutItem', table('posts'))).toBe(false);
    expect(allowedBy(statements, 'dynamodb:GetItem', table('Posts'))).toBe(false);
    expect(allowedBy(statements, 'dynamodb:GetItem', table('comments'))).toBe(false);
  });

  it('lets an explicit Deny win over any Allow', () => {
    const statements = [
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: table('posts') },
    ];
    expect(allowedBy(statements, 'dynamodb:PutItem', table('posts'))).toBe(true);
    expect(
      evaluate(caller, identity(statements), [], { action: 'dynamodb:DeleteItem', resource: table('posts') }),
    ).toEqual({ allowed: false, reason: 'identity-deny', conditionKeys: [] });
  });

  it('reads NotAction and NotResource', () => {
    const statements = [
      { Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: [table('posts'), `${table('posts')}/index/*`] },
    ];
    expect(allowedBy(statements, 'dynamodb:PutItem', table('posts'))).toBe(true);
    expect(allowedBy(statements, 'dynamodb:DeleteItem', table('posts'))).toBe(false);
    expect(allowedBy(statements, 'dynamodb:PutItem', table('comments'))).toBe(false);
  });

  it('evaluates conditions: every operator block and key must hold, any of a key’s values may match', () => {
    const statements = [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: {
          StringEquals: { 'events:source': ['live-comments.posts', 'live-comments.other'] },
          StringLike: { 'events:detail-type': 'Post*' },
          StringNotLike: { 'events:detail-type': '*Deleted' },
        },
      },
    ];
    const put = (source: string, detailType: string) =>
      allowedBy(statements, 'events:PutEvents', bus, {
        'events:source': source,
        'events:detail-type': detailType,
      });
    expect(put('live-comments.posts', 'PostCreated')).toBe(true);
    expect(put('live-comments.other', 'PostUpdated')).toBe(true);
    expect(put('live-comments.comments', 'PostCreated')).toBe(false);
    expect(put('live-comments.posts', 'CommentCreated')).toBe(false);
    expect(put('live-comments.posts', 'PostDeleted')).toBe(false);
  });

  it('treats a missing key as AWS does: positive operators fail, negated ones and IfExists hold', () => {
    const only = (condition: unknown) => [
      { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition },
    ];
    expect(allowedBy(only({ StringEquals: { 'events:source': 'x' } }), 'events:PutEvents', bus)).toBe(false);
    expect(allowedBy(only({ StringNotEquals: { 'events:source': 'x' } }), 'events:PutEvents', bus)).toBe(
      true,
    );
    expect(allowedBy(only({ StringEqualsIfExists: { 'events:source': 'x' } }), 'events:PutEvents', bus)).toBe(
      true,
    );
    expect(allowedBy(only({ Null: { 'events:source': 'true' } }), 'events:PutEvents', bus)).toBe(true);
    expect(allowedBy(only({ Null: { 'events:source': 'false' } }), 'events:PutEvents', bus)).toBe(false);
  });

  it('knows aws:PrincipalArn (the role, not the session) and compares ARNs part by part', () => {
    const statements = [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/posts-*' } },
      },
    ];
    expect(allowedBy(statements, 'events:PutEvents', bus, {}, caller)).toBe(true);
    expect(allowedBy(statements, 'events:PutEvents', bus, {}, other)).toBe(false);
    const equals = [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: '*',
        Condition: { ArnEquals: { 'aws:principalarn': caller.roleArn } },
      },
    ];
    expect(allowedBy(equals, 'events:PutEvents', bus, {}, caller)).toBe(true);
    expect(allowedBy(equals, 'events:PutEvents', bus, {}, other)).toBe(false);
  });

  it('qualifies set keys with ForAllValues and ForAnyValue', () => {
    const any = [
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'k:tags': ['a'] } },
      },
    ];
    const all = [
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { 'ForAllValues:StringLike': { 'k:tags': ['a*'] } },
      },
    ];
    expect(allowedBy(any, 'x:Y', '*', { 'k:tags': ['b', 'a'] })).toBe(true);
    expect(allowedBy(any, 'x:Y', '*', { 'k:tags': ['b'] })).toBe(false);
    expect(allowedBy(all, 'x:Y', '*', { 'k:tags': ['ab', 'ac'] })).toBe(true);
    expect(allowedBy(all, 'x:Y', '*', { 'k:tags': ['ab', 'b'] })).toBe(false);
  });

  it('refuses, when compiled, what it cannot evaluate', () => {
    expect(() =>
      identity([
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { DateGreaterThan: { 'aws:CurrentTime': 'x' } },
        },
      ]),
    ).toThrow(PolicyError);
    expect(() => identity([{ Effect: 'Maybe', Action: '*', Resource: '*' }])).toThrow(PolicyError);
  });
});

describe('evaluate (a bus policy with the identity policy, same account)', () => {
  // The shape events/serverless.yml's bus policy takes: only the posts publishers may claim posts' source.
  const busPolicy = compilePolicy(
    [
      {
        Sid: 'OnlyPostsPublishPosts',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: bus,
        Condition: {
          StringEquals: { 'events:source': 'live-comments.posts' },
          ArnNotEquals: { 'aws:PrincipalArn': [caller.roleArn] },
        },
      },
    ],
    { resourcePolicy: true },
  );
  const mayPut = identity([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }]);
  const put = (who: CallerPrincipal, source: string, statements = mayPut) =>
    evaluate(who, statements, busPolicy, {
      action: 'events:PutEvents',
      resource: bus,
      context: { 'events:source': source },
    });

  it('lets the publisher role put its source and refuses every other role with an explicit deny', () => {
    expect(put(caller, 'live-comments.posts')).toEqual({ allowed: true });
    // The keys that decided: what makes PutEvents fail the entry (NotAuthorizedForSourceException), not the call.
    expect(put(other, 'live-comments.posts')).toEqual({
      allowed: false,
      reason: 'resource-deny',
      conditionKeys: ['events:source', 'aws:principalarn'],
    });
    expect(put(other, 'live-comments.comments')).toEqual({ allowed: true });
  });

  it('allows from the resource policy alone within the account', () => {
    const grant = compilePolicy(
      [{ Effect: 'Allow', Principal: { AWS: caller.roleArn }, Action: 'events:PutEvents', Resource: bus }],
      { resourcePolicy: true },
    );
    expect(evaluate(caller, [], grant, { action: 'events:PutEvents', resource: bus }).allowed).toBe(true);
    expect(evaluate(other, [], grant, { action: 'events:PutEvents', resource: bus }).allowed).toBe(false);
  });
});

describe('deniedMessage', () => {
  it('words refusals as AWS does', () => {
    const request = { action: 'dynamodb:PutItem', resource: table('local-comments') };
    expect(deniedMessage(other, request, 'no-allow')).toBe(
      `User: ${other.sessionArn} is not authorized to perform: dynamodb:PutItem on resource: ${table('local-comments')} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(deniedMessage(other, request, 'resource-deny')).toMatch(
      /with an explicit deny in a resource-based policy$/,
    );
    expect(
      deniedMessage(other, { action: 'sqs:SendMessage', resource: 'q' }, 'no-allow', {
        lowerCaseAction: true,
      }),
    ).toMatch(
      /perform: sqs:sendmessage on resource: q because no identity-based policy allows the sqs:sendmessage action$/,
    );
  });
});

describe('the actions a call needs', () => {
  it('DynamoDB: transactions per item and table, batches per table, index queries on the index', () => {
    expect(
      dynamoDbRequests(scope, 'TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'a' } },
          { Update: { TableName: 'b' } },
          { Delete: { TableName: 'a' } },
          { ConditionCheck: { TableName: 'c' } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: table('a') },
      { action: 'dynamodb:UpdateItem', resource: table('b') },
      { action: 'dynamodb:DeleteItem', resource: table('a') },
      { action: 'dynamodb:ConditionCheckItem', resource: table('c') },
    ]);
    expect(dynamoDbRequests(scope, 'BatchWriteItem', { RequestItems: { a: [], b: [] } })).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table('a') },
      { action: 'dynamodb:BatchWriteItem', resource: table('b') },
    ]);
    expect(dynamoDbRequests(scope, 'Query', { TableName: 'a', IndexName: 'byId' })).toEqual([
      { action: 'dynamodb:Query', resource: `${table('a')}/index/byId` },
    ]);
  });

  it('SQS: a batch needs its single action, on the queue of the URL', () => {
    expect(
      sqsRequests(scope, 'SendMessageBatch', { QueueUrl: 'http://127.0.0.1:4566/000000000000/q' }),
    ).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q' }]);
  });

  it('EventBridge: PutEvents per entry on its bus, with its source and detail-type', () => {
    expect(
      eventBridgeRequests(scope, 'PutEvents', {
        Entries: [
          { EventBusName: 'live-comments-local', Source: 's', DetailType: 'd' },
          { EventBusName: bus, Source: 't', DetailType: 'e' },
          { Source: 'u', DetailType: 'f' },
        ],
      }),
    ).toEqual([
      {
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': 's', 'events:detail-type': 'd' },
      },
      {
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': 't', 'events:detail-type': 'e' },
      },
      {
        action: 'events:PutEvents',
        resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
        context: { 'events:source': 'u', 'events:detail-type': 'f' },
      },
    ]);
  });

  it('@connections: ManageConnections on the stage, method and connection', () => {
    expect(
      manageConnectionsRequest(scope, { apiId: 'api', stage: 'local', method: 'POST', connectionId: 'c=' }),
    ).toEqual({
      action: 'execute-api:ManageConnections',
      resource: 'arn:aws:execute-api:us-east-1:000000000000:api/local/POST/@connections/c=',
    });
  });
});
