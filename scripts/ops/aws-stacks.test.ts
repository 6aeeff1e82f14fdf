import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stacks } from '../stacks';
import { awsInfo, awsStackInfo, serviceNameOf, stackFunctions, stackNameOf } from './aws-stacks';
import { deployedStack } from './testing';

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

const URL_PREFIX = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const resource = (LogicalResourceId: string, ResourceType: string, PhysicalResourceId: string) => ({
  LogicalResourceId,
  ResourceType,
  PhysicalResourceId,
  ResourceStatus: 'CREATE_COMPLETE' as const,
  LastUpdatedTimestamp: new Date(0),
});

const template = {
  Resources: {
    CommentEventsQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['CommentEventsDlq', 'Arn'] } } },
    },
    CommentEventsDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    CommentEventsRuleDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    CommentEventsRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Targets: [
          {
            Arn: { 'Fn::GetAtt': ['CommentEventsQueue', 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['CommentEventsRuleDlq', 'Arn'] } },
          },
        ],
      },
    },
    RepublishPostsEventsRuleSchedule1: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [{ Arn: { 'Fn::GetAtt': ['RepublishPostsLambdaFunction', 'Arn'] } }],
      },
    },
  },
};

beforeEach(() => {
  cfnMock.reset();
});

describe('stack names', () => {
  it('are the serverless service of each compose entry and the stage', () => {
    const [events, posts] = stacks();
    expect(events && serviceNameOf(events)).toBe('live-comments-events');
    expect(posts && stackNameOf(posts, 'staging')).toBe('live-comments-posts-staging');
  });
});

describe('awsStackInfo', () => {
  it('reads endpoints, dashboard and alarm topic from the outputs, the rest from the resources and template', async () => {
    deployedStack(cfnMock, 'live-comments-posts-staging', {
      HttpApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      DashboardUrl: 'https://console/dash',
      AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:topic',
      CommentEventsDlqUrl: `${URL_PREFIX}/staging-posts-comment-events-dlq`,
      CreatePostLambdaFunctionQualifiedArn: 'arn:aws:lambda:...:1',
    });
    cfnMock
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [
          resource(
            'CreatePostLambdaFunction',
            'AWS::Lambda::Function',
            'live-comments-posts-staging-createPost',
          ),
          resource(
            'RepublishPostsLambdaFunction',
            'AWS::Lambda::Function',
            'live-comments-posts-staging-republishPosts',
          ),
          resource('PostsTable', 'AWS::DynamoDB::Table', 'staging-posts'),
          resource('CommentEventsQueue', 'AWS::SQS::Queue', `${URL_PREFIX}/staging-posts-comment-events`),
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        StackResourceSummaries: [
          resource('CommentEventsDlq', 'AWS::SQS::Queue', `${URL_PREFIX}/staging-posts-comment-events-dlq`),
          resource(
            'CommentEventsRuleDlq',
            'AWS::SQS::Queue',
            `${URL_PREFIX}/staging-posts-comment-events-rule-dlq`,
          ),
          resource(
            'CommentEventsRule',
            'AWS::Events::Rule',
            'live-comments-staging|staging-posts-comment-events',
          ),
          resource(
            'RepublishPostsEventsRuleSchedule1',
            'AWS::Events::Rule',
            'live-comments-posts-staging-Republish-X1',
          ),
          resource(
            'CommentEventsDlqAlarm',
            'AWS::CloudWatch::Alarm',
            'live-comments-posts-staging-comment-events-dlq',
          ),
        ],
      });
    cfnMock
      .on(GetTemplateCommand, { StackName: 'live-comments-posts-staging', TemplateStage: 'Processed' })
      .resolves({ TemplateBody: JSON.stringify(template) });

    const info = await awsStackInfo(cfn, 'posts', 'live-comments-posts-staging');
    expect(info).toEqual({
      service: 'posts',
      stack: 'live-comments-posts-staging',
      status: 'UPDATE_COMPLETE',
      endpoints: [{ name: 'HttpApiUrl', url: 'https://abc.execute-api.eu-west-1.amazonaws.com' }],
      dashboardUrl: 'https://console/dash',
      alarmTopic: 'arn:aws:sns:eu-west-1:123456789012:topic',
      functions: [
        {
          name: 'createPost',
          functionName: 'live-comments-posts-staging-createPost',
          logGroup: '/aws/lambda/live-comments-posts-staging-createPost',
        },
        {
          name: 'republishPosts',
          functionName: 'live-comments-posts-staging-republishPosts',
          logGroup: '/aws/lambda/live-comments-posts-staging-republishPosts',
        },
      ],
      tables: ['staging-posts'],
      queues: [
        {
          name: 'staging-posts-comment-events',
          url: `${URL_PREFIX}/staging-posts-comment-events`,
          deadLetterQueue: 'staging-posts-comment-events-dlq',
        },
        {
          name: 'staging-posts-comment-events-dlq',
          url: `${URL_PREFIX}/staging-posts-comment-events-dlq`,
          deadLettersOf: 'queue staging-posts-comment-events',
        },
        {
          name: 'staging-posts-comment-events-rule-dlq',
          url: `${URL_PREFIX}/staging-posts-comment-events-rule-dlq`,
          deadLettersOf: 'rule staging-posts-comment-events',
        },
      ],
      buses: [],
      rules: [
        {
          name: 'staging-posts-comment-events',
          bus: 'live-comments-staging',
          targets: ['staging-posts-comment-events'],
          deadLetterQueue: 'staging-posts-comment-events-rule-dlq',
        },
        {
          name: 'live-comments-posts-staging-Republish-X1',
          bus: 'default',
          targets: ['live-comments-posts-staging-republishPosts'],
          schedule: 'rate(1 minute)',
        },
      ],
      alarms: ['live-comments-posts-staging-comment-events-dlq'],
    });
  });

  it('says NOT DEPLOYED for a stack CloudFormation does not have', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id live-comments-posts-prod does not exist'), {
        name: 'ValidationError',
      }),
    );
    const info = await awsStackInfo(cfn, 'posts', 'live-comments-posts-prod');
    expect(info).toMatchObject({ service: 'posts', status: 'NOT DEPLOYED', functions: [], alarms: [] });
    expect(cfnMock.commandCalls(ListStackResourcesCommand)).toHaveLength(0);
  });

  it('lets other errors through (credentials, throttling)', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(awsStackInfo(cfn, 'posts', 'live-comments-posts-prod')).rejects.toThrow('denied');
  });
});

describe('awsInfo', () => {
  it('reads every stack of the compose file at the stage, in compose order', async () => {
    cfnMock.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => ({
      Stacks: [{ StackName, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) }],
    }));
    cfnMock.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: '{}' });
    const info = await awsInfo(cfn, 'staging', stacks(), 'eu-west-1');
    expect(info.stacks.map((stack) => [stack.service, stack.stack])).toEqual([
      ['events', 'live-comments-events-staging'],
      ['posts', 'live-comments-posts-staging'],
      ['comments', 'live-comments-comments-staging'],
      ['connections', 'live-comments-connections-staging'],
      ['hosting', 'live-comments-hosting-staging'],
    ]);
  });
});

describe('stackFunctions', () => {
  it('names a function by its serverless key when its physical name follows the stack', () => {
    expect(
      stackFunctions(
        [
          resource(
            'BroadcastPageLambdaFunction',
            'AWS::Lambda::Function',
            'live-comments-connections-prod-broadcastPage',
          ),
          resource('Custom', 'AWS::Lambda::Function', 'renamed-by-hand'),
        ],
        'live-comments-connections-prod',
      ).map((fn) => fn.name),
    ).toEqual(['broadcastPage', 'custom']);
  });
});
