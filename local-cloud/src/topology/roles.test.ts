import { describe, expect, it } from 'vitest';
import { buildTopology } from './build';
import type { ResolvedStack } from './resolve-stacks';

const ports = { http: 18000, websocket: 13001, edge: 14566, web: 13000 };
const options = { ports, accountId: '000000000000', region: 'us-east-1', stage: 'local' };
const bus = 'arn:aws:events:us-east-1:000000000000:event-bus/bus-local';

const stack = (config: Record<string, unknown>): ResolvedStack => ({
  service: 'svc',
  dir: '/tmp/svc',
  config,
});

const assumeLambda = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('execution roles', () => {
  it("gives functions without a role serverless' default role: the provider's statements, X-Ray, the SQS events' queues", () => {
    const topology = buildTopology(
      [
        stack({
          service: 'svc',
          provider: {
            stage: 'local',
            tracing: { lambda: true },
            iam: {
              role: {
                statements: [
                  { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['T', 'Arn'] } },
                ],
              },
            },
          },
          functions: {
            api: { handler: 'h.api' },
            worker: { handler: 'h.worker', events: [{ sqs: { arn: { 'Fn::GetAtt': ['Q', 'Arn'] } } }] },
          },
          resources: {
            Resources: {
              T: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'local-t' } },
              Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'local-q' } },
            },
          },
        }),
      ],
      options,
    );
    const arn = 'arn:aws:iam::000000000000:role/svc-local-us-east-1-lambdaRole';
    expect(topology.functions.map((fn) => fn.roleArn)).toEqual([arn, arn]);
    expect(topology.roles).toHaveLength(1);
    expect(topology.roles?.[0]).toMatchObject({
      logicalId: 'IamRoleLambdaExecution',
      name: 'svc-local-us-east-1-lambdaRole',
      arn,
    });
    expect(topology.roles?.[0]?.statements.slice(2)).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/local-t',
      },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: ['arn:aws:sqs:us-east-1:000000000000:local-q'],
      },
    ]);
  });

  it('reads roles of their own: a logical id, Fn::GetAtt, an ARN; inline policies and attached AWS::IAM::Policy', () => {
    const topology = buildTopology(
      [
        stack({
          service: 'svc',
          provider: { stage: 'local' },
          functions: {
            a: { handler: 'h.a', role: 'ARole' },
            b: { handler: 'h.b', role: { 'Fn::GetAtt': ['BRole', 'Arn'] } },
            c: { handler: 'h.c', role: 'arn:aws:iam::000000000000:role/elsewhere' },
          },
          resources: {
            Resources: {
              ARole: {
                Type: 'AWS::IAM::Role',
                Properties: {
                  RoleName: 'a-role',
                  AssumeRolePolicyDocument: assumeLambda,
                  ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
                  Policies: [
                    {
                      PolicyName: 'p',
                      PolicyDocument: {
                        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }],
                      },
                    },
                  ],
                },
              },
              BRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: assumeLambda } },
              BPolicy: {
                Type: 'AWS::IAM::Policy',
                Properties: {
                  PolicyName: 'b',
                  Roles: [{ Ref: 'BRole' }],
                  PolicyDocument: {
                    Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
                  },
                },
              },
            },
          },
        }),
      ],
      options,
    );
    expect(topology.functions.map((fn) => fn.roleArn)).toEqual([
      'arn:aws:iam::000000000000:role/a-role',
      'arn:aws:iam::000000000000:role/svc-local-BRole',
      'arn:aws:iam::000000000000:role/elsewhere',
    ]);
    // Every function names a role: serverless makes no default one.
    expect(topology.roles?.map((role) => [role.logicalId, role.statements, role.managedPolicyArns])).toEqual([
      [
        'ARole',
        [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus }],
        ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      ],
      ['BRole', [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }], []],
    ]);
  });

  it('keeps an AWS::Events::EventBusPolicy as a statement of its bus’s resource policy', () => {
    const topology = buildTopology(
      [
        stack({
          service: 'events',
          provider: { stage: 'local' },
          resources: {
            Resources: {
              Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus-local' } },
              OnlyPosts: {
                Type: 'AWS::Events::EventBusPolicy',
                Properties: {
                  EventBusName: { Ref: 'Bus' },
                  StatementId: 'OnlyPosts',
                  Statement: {
                    Effect: 'Deny',
                    Principal: '*',
                    Action: 'events:PutEvents',
                    Resource: { 'Fn::GetAtt': ['Bus', 'Arn'] },
                  },
                },
              },
            },
          },
        }),
      ],
      options,
    );
    expect(topology.buses).toEqual([
      {
        stack: 'events',
        name: 'bus-local',
        arn: bus,
        policy: [
          { Sid: 'OnlyPosts', Effect: 'Deny', Principal: '*', Action: 'events:PutEvents', Resource: bus },
        ],
      },
    ]);
  });
});
