import { describe, expect, it } from 'vitest';
import { type CloudInfo, emptyStackInfo } from '../../local-cloud/src/info';
import { renderInfo } from './render';

describe('renderInfo', () => {
  it('prints each stack with its functions, queues and DLQs, rules, and alarms with their runbook anchors', () => {
    const info: CloudInfo = {
      cloud: 'aws',
      stage: 'prod',
      region: 'eu-west-1',
      endpoints: [],
      notes: [],
      stacks: [
        {
          service: 'connections',
          stack: 'live-comments-connections-prod',
          status: 'UPDATE_COMPLETE',
          endpoints: [{ name: 'WebSocketApiEndpoint', url: 'wss://ws.example/prod' }],
          dashboardUrl: 'https://console/dash',
          alarmTopic: 'arn:aws:sns:eu-west-1:1:topic',
          functions: [{ name: 'broadcast', functionName: 'f', logGroup: '/aws/lambda/f' }],
          tables: ['prod-websocket-connections'],
          queues: [
            { name: 'prod-connections-fanout', deadLetterQueue: 'prod-connections-fanout-dlq' },
            { name: 'prod-connections-fanout-dlq', deadLettersOf: 'queue prod-connections-fanout' },
          ],
          buses: [],
          rules: [{ name: 'r', bus: 'live-comments-prod', targets: ['q'], deadLetterQueue: 'q-dlq' }],
          alarms: ['prod-connections-fanout-dlq'],
        },
        { ...emptyStackInfo('posts', 'live-comments-posts-prod'), status: 'NOT DEPLOYED' },
      ],
    };
    expect(renderInfo(info)).toBe(
      [
        'live-comments on AWS, stage prod (eu-west-1)',
        '',
        'connections  (live-comments-connections-prod, UPDATE_COMPLETE)',
        '  endpoints',
        '    WebSocketApiEndpoint  wss://ws.example/prod',
        '  dashboard      https://console/dash',
        '  alarm topic    arn:aws:sns:eu-west-1:1:topic',
        '  functions (npm run logs -- <service> <function>)',
        '    broadcast   /aws/lambda/f',
        '  tables',
        '    prod-websocket-connections',
        '  queues',
        '    prod-connections-fanout   DLQ prod-connections-fanout-dlq',
        '    prod-connections-fanout-dlq   (dead letters of queue prod-connections-fanout; npm run dlq)',
        '  rules',
        '    r on live-comments-prod -> q   DLQ q-dlq',
        '  alarms (runbook: docs/RUNBOOK.md)',
        '    prod-connections-fanout-dlq   #stage-connections-fanout-dlq',
        '',
        'posts  (live-comments-posts-prod, NOT DEPLOYED)',
        '',
      ].join('\n'),
    );
  });
});
