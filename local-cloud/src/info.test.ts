import { describe, expect, it } from 'vitest';
import { localInfo } from './info';
import { queueArn, queueDef, route, topologyWith, urls } from './testing';
import type { FunctionDef } from './topology/model';

const fn = (service: string, name: string): FunctionDef => ({
  key: `${service}.${name}`,
  service,
  stack: `live-comments-${service}`,
  name,
  functionName: `live-comments-${service}-local-${name}`,
  handler: 'src/handlers/x.handler',
  serviceDir: `/repo/services/${service}`,
  environment: {},
  timeoutSeconds: 10,
  memorySize: 512,
});

describe('localInfo', () => {
  it('groups the topology by stack: functions and log groups, tables, queues with DLQs, rules and schedules', () => {
    const stack = 'live-comments-posts';
    const info = localInfo(
      topologyWith({
        functions: [fn('posts', 'createPost'), fn('posts', 'republishPosts')],
        httpRoutes: [route('POST', '/api/v1/posts', 'posts.createPost')],
        tables: [{ stack, logicalId: 'PostsTable', name: 'local-posts', arn: 'arn:t', properties: {} }],
        queues: [
          queueDef('local-posts-comment-events', {
            stack,
            redrive: { deadLetterTargetArn: queueArn('local-posts-comment-events-dlq'), maxReceiveCount: 5 },
          }),
          queueDef('local-posts-comment-events-dlq', { stack }),
          queueDef('local-posts-comment-events-rule-dlq', { stack }),
        ],
        buses: [{ stack: 'live-comments-events', name: 'live-comments-local', arn: 'arn:bus' }],
        rules: [
          {
            stack,
            logicalId: 'CommentEventsRule',
            name: 'local-posts-comment-events',
            arn: 'arn:rule',
            busName: 'live-comments-local',
            eventPattern: {},
            state: 'ENABLED',
            targets: [
              {
                id: 't',
                arn: queueArn('local-posts-comment-events'),
                deadLetterArn: queueArn('local-posts-comment-events-rule-dlq'),
              },
            ],
          },
        ],
        schedules: [{ functionKey: 'posts.republishPosts', expression: 'rate(1 minute)', enabled: true }],
      }),
      urls,
    );
    expect(info.stacks).toEqual([
      {
        service: 'posts',
        stack: 'live-comments-posts-local',
        endpoints: [{ name: 'HTTP API', url: urls.http }],
        functions: [
          {
            name: 'createPost',
            functionName: 'live-comments-posts-local-createPost',
            logGroup: '/aws/lambda/live-comments-posts-local-createPost',
          },
          {
            name: 'republishPosts',
            functionName: 'live-comments-posts-local-republishPosts',
            logGroup: '/aws/lambda/live-comments-posts-local-republishPosts',
          },
        ],
        tables: ['local-posts'],
        queues: [
          { name: 'local-posts-comment-events', deadLetterQueue: 'local-posts-comment-events-dlq' },
          { name: 'local-posts-comment-events-dlq', deadLettersOf: 'queue local-posts-comment-events' },
          { name: 'local-posts-comment-events-rule-dlq', deadLettersOf: 'rule local-posts-comment-events' },
        ],
        buses: [],
        rules: [
          {
            name: 'local-posts-comment-events',
            bus: 'live-comments-local',
            targets: ['local-posts-comment-events'],
            deadLetterQueue: 'local-posts-comment-events-rule-dlq',
          },
          {
            name: 'posts.republishPosts schedule',
            bus: 'default',
            targets: ['live-comments-posts-local-republishPosts'],
            schedule: 'rate(1 minute)',
          },
        ],
        alarms: [],
      },
      {
        service: 'events',
        stack: 'live-comments-events-local',
        endpoints: [],
        functions: [],
        tables: [],
        queues: [],
        buses: ['live-comments-local'],
        rules: [],
        alarms: [],
      },
    ]);
    expect(info.endpoints.map((endpoint) => endpoint.name)).toContain('health');
    expect(info.notes.join(' ')).toContain('not emulated locally');
  });
});
