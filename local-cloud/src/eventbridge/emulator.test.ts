import { describe, expect, it } from 'vitest';
import { type DeliverToTarget, TargetDeliveryError } from './delivery';
import { createEventBridge, type EventBridgeOptions } from './emulator';
import { formatEventTime } from './model';

interface Sent {
  arn: string;
  body: string;
  attributes?: Record<string, string>;
}

/** A target that fails `failures` times with a retriable error, then accepts; the DLQ always accepts. */
function flakyTarget(failures: number) {
  const sent: Sent[] = [];
  let calls = 0;
  const deliver: DeliverToTarget = async (arn, body, attributes) => {
    if (arn.endsWith(':target')) {
      calls++;
      if (calls <= failures) throw new TargetDeliveryError('THROTTLING', 'slow down', true);
    }
    sent.push({ arn, body, attributes });
  };
  return { deliver, sent, calls: () => calls };
}

const setup = (
  deliver: DeliverToTarget,
  retryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number },
  extra: Partial<EventBridgeOptions> = {},
) => {
  const bridge = createEventBridge({
    region: 'us-east-1',
    accountId: '000000000000',
    deliver,
    retryBaseDelayMs: 2,
    retryMaxDelayMs: 10,
    newId: () => 'event-1',
    now: () => new Date('2024-05-06T07:08:09.999Z'),
    log: () => {},
    ...extra,
  });
  bridge.putRule({ Name: 'all', EventPattern: JSON.stringify({ source: ['app'] }) });
  bridge.putTargets('all', undefined, [
    {
      Id: 't',
      Arn: 'arn:aws:sqs:us-east-1:000000000000:target',
      RetryPolicy: retryPolicy,
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
    },
  ]);
  return bridge;
};

const putOne = (bridge: ReturnType<typeof setup>) =>
  bridge.handle('PutEvents', { Entries: [{ Source: 'app', DetailType: 'Thing', Detail: '{"a":1}' }] });

describe('target retry policy', () => {
  it('retries a retriable failure with backoff and delivers once it succeeds', async () => {
    const target = flakyTarget(2);
    const bridge = setup(target.deliver, { MaximumRetryAttempts: 5 });
    await putOne(bridge);
    await bridge.idle();
    expect(target.calls()).toBe(3);
    expect(target.sent.map((sent) => sent.arn)).toEqual(['arn:aws:sqs:us-east-1:000000000000:target']);
    expect(bridge.deliveries).toEqual([expect.objectContaining({ outcome: 'delivered', attempts: 3 })]);
  });

  it('sends the event to the DLQ with AWS attributes once retries are exhausted', async () => {
    const target = flakyTarget(100);
    const bridge = setup(target.deliver, { MaximumRetryAttempts: 2 });
    await putOne(bridge);
    await bridge.idle();
    expect(target.calls()).toBe(3);
    const [dead] = target.sent;
    expect(dead?.arn).toBe('arn:aws:sqs:us-east-1:000000000000:dlq');
    expect(JSON.parse(dead?.body ?? '{}')).toMatchObject({ id: 'event-1', detail: { a: 1 } });
    expect(dead?.attributes).toEqual({
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/all',
      TARGET_ARN: 'arn:aws:sqs:us-east-1:000000000000:target',
      ERROR_CODE: 'THROTTLING',
      ERROR_MESSAGE: 'slow down',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
    });
  });

  it('keeps the last events with each rule target and what became of the event there', async () => {
    const target = flakyTarget(100);
    const bridge = setup(target.deliver, { MaximumRetryAttempts: 1 });
    await putOne(bridge);
    const [pending] = bridge.recentEvents();
    expect(pending?.targets).toEqual([
      { ruleName: 'all', targetArn: 'arn:aws:sqs:us-east-1:000000000000:target', outcome: 'pending' },
    ]);
    await bridge.idle();
    expect(bridge.recentEvents()).toEqual([
      {
        id: 'event-1',
        busName: 'default',
        source: 'app',
        detailType: 'Thing',
        receivedAt: expect.any(String),
        detail: { a: 1 },
        targets: [
          {
            ruleName: 'all',
            targetArn: 'arn:aws:sqs:us-east-1:000000000000:target',
            outcome: 'dead-lettered',
            errorCode: 'THROTTLING',
          },
        ],
      },
    ]);
  });

  it('stops retrying when the event is older than MaximumEventAgeInSeconds', async () => {
    const target = flakyTarget(100);
    const bridge = setup(target.deliver, { MaximumRetryAttempts: 100, MaximumEventAgeInSeconds: 0 });
    await putOne(bridge);
    await bridge.idle();
    expect(target.calls()).toBe(1);
    expect(target.sent[0]?.attributes?.EXHAUSTED_RETRY_CONDITION).toBe('MaximumEventAgeExhausted');
  });

  it('does not retry a missing target resource', async () => {
    const sent: Sent[] = [];
    let calls = 0;
    const bridge = setup(async (arn, body, attributes) => {
      if (arn.endsWith(':target')) {
        calls++;
        throw new TargetDeliveryError('NO_RESOURCE', 'The specified queue does not exist.', false);
      }
      sent.push({ arn, body, attributes });
    });
    await putOne(bridge);
    await bridge.idle();
    expect(calls).toBe(1);
    expect(sent[0]?.attributes?.ERROR_CODE).toBe('NO_RESOURCE');
    expect(sent[0]?.attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
  });

  it('wakes sleeping retries on stop so nothing hangs', async () => {
    const target = flakyTarget(100);
    const bridge = createEventBridge({
      region: 'us-east-1',
      accountId: '000000000000',
      deliver: target.deliver,
      retryBaseDelayMs: 60_000,
      log: () => {},
    });
    bridge.putRule({ Name: 'all', EventPattern: '{"source":["app"]}' });
    bridge.putTargets('all', undefined, [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:target' }]);
    await putOne(bridge);
    await new Promise((resolve) => setTimeout(resolve, 20));
    bridge.stop();
    await bridge.idle();
    expect(target.calls()).toBe(1);
  });
});

describe('delivery metrics and lost events', () => {
  const noDlq = (bridge: ReturnType<typeof setup>) =>
    bridge.putTargets('all', undefined, [
      { Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:target', RetryPolicy: { MaximumRetryAttempts: 0 } },
    ]);

  it("counts a rule's matched events, invocations, retries and DLQ sends as AWS/Events does", async () => {
    const bridge = setup(flakyTarget(100).deliver, { MaximumRetryAttempts: 2 });
    await putOne(bridge);
    await bridge.idle();
    expect(bridge.metrics()).toEqual({
      rules: [
        {
          ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/all',
          ruleName: 'all',
          busName: 'default',
          matchedEvents: 1,
          invocations: 1,
          failedInvocations: 1,
          retryInvocationAttempts: 2,
          invocationsSentToDlq: 1,
          invocationsFailedToBeSentToDlq: 0,
        },
      ],
      lostEvents: 0,
      lost: [],
    });
  });

  it('logs and counts an event that neither the target nor its DLQ took', async () => {
    const lines: string[] = [];
    const bridge = setup(
      async (arn) => {
        throw new TargetDeliveryError('NO_RESOURCE', `no queue ${arn.split(':').at(-1)}`, false);
      },
      undefined,
      { log: (line) => lines.push(line) },
    );
    await putOne(bridge);
    await bridge.idle();
    const metrics = bridge.metrics();
    expect(metrics.rules[0]).toMatchObject({ failedInvocations: 1, invocationsFailedToBeSentToDlq: 1 });
    expect(metrics.lostEvents).toBe(1);
    expect(metrics.lost).toEqual([
      {
        ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/all',
        ruleName: 'all',
        busName: 'default',
        targetId: 't',
        targetArn: 'arn:aws:sqs:us-east-1:000000000000:target',
        eventId: 'event-1',
        detailType: 'Thing',
        targetError: 'NO_RESOURCE: no queue target',
        deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
        deadLetterError: 'NO_RESOURCE: no queue dlq',
      },
    ]);
    expect(lines).toEqual([
      'ERROR event lost: rule all on bus default, target t (arn:aws:sqs:us-east-1:000000000000:target), ' +
        'event event-1 (Thing): the target failed (NO_RESOURCE: no queue target) ' +
        'and so did its DLQ arn:aws:sqs:us-east-1:000000000000:dlq (NO_RESOURCE: no queue dlq)',
    ]);
  });

  it('counts a failed delivery to a target without a DLQ as lost', async () => {
    const lines: string[] = [];
    const bridge = setup(flakyTarget(100).deliver, undefined, { log: (line) => lines.push(line) });
    noDlq(bridge);
    await putOne(bridge);
    await bridge.idle();
    expect(bridge.metrics()).toMatchObject({
      rules: [{ failedInvocations: 1, invocationsSentToDlq: 0, invocationsFailedToBeSentToDlq: 0 }],
      lostEvents: 1,
    });
    expect(lines[0]).toMatch(/the target failed \(THROTTLING: slow down\) and it has no DLQ$/);
  });

  it('starts counting afresh after a reset', async () => {
    const bridge = setup(flakyTarget(100).deliver, undefined, { log: () => {} });
    noDlq(bridge);
    await putOne(bridge);
    await bridge.idle();
    bridge.resetMetrics();
    expect(bridge.metrics()).toEqual({ rules: [], lostEvents: 0, lost: [] });
  });

  it('retries a target that refuses, then sends the event to its DLQ', async () => {
    const target = flakyTarget(0);
    const bridge = setup(
      target.deliver,
      { MaximumRetryAttempts: 2 },
      {
        refuse: (rule, spec) =>
          rule.name === 'all' && spec.Id === 't'
            ? new TargetDeliveryError('INTERNAL_ERROR', 'refused', true)
            : undefined,
      },
    );
    await putOne(bridge);
    await bridge.idle();
    expect(target.calls()).toBe(0);
    expect(target.sent.map((sent) => [sent.arn, sent.attributes?.ERROR_MESSAGE])).toEqual([
      ['arn:aws:sqs:us-east-1:000000000000:dlq', 'refused'],
    ]);
    expect(bridge.metrics().rules[0]).toMatchObject({ retryInvocationAttempts: 2, invocationsSentToDlq: 1 });
  });
});

describe('PutEvents', () => {
  it('answers before delivering, and delivers after', async () => {
    const target = flakyTarget(0);
    const bridge = setup(target.deliver);
    const result = await putOne(bridge);
    expect(result).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    expect(target.sent).toHaveLength(0);
    await bridge.idle();
    expect(JSON.parse(target.sent[0]?.body ?? '{}').time).toBe('2024-05-06T07:08:09Z');
  });

  it('skips disabled rules', async () => {
    const target = flakyTarget(0);
    const bridge = setup(target.deliver);
    await bridge.handle('DisableRule', { Name: 'all' });
    await putOne(bridge);
    await bridge.idle();
    expect(target.sent).toHaveLength(0);
  });

  it('rejects a request over 256 KB', async () => {
    const bridge = setup(flakyTarget(0).deliver);
    const detail = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expect(
      bridge.handle('PutEvents', { Entries: [{ Source: 'app', DetailType: 'Big', Detail: detail }] }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('names the missing field of an entry', async () => {
    const bridge = setup(flakyTarget(0).deliver);
    const result = await bridge.handle('PutEvents', { Entries: [{ Source: 'app', Detail: '{}' }] });
    expect(result).toEqual({
      FailedEntryCount: 1,
      Entries: [
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
        },
      ],
    });
  });
});

describe('rules', () => {
  it('refuses to delete a rule that still has targets', async () => {
    const bridge = setup(flakyTarget(0).deliver);
    await expect(bridge.handle('DeleteRule', { Name: 'all' })).rejects.toThrow(
      "Rule can't be deleted since it has targets.",
    );
    await bridge.handle('RemoveTargets', { Rule: 'all', Ids: ['t'] });
    await bridge.handle('DeleteRule', { Name: 'all' });
    expect(await bridge.handle('ListRules', {})).toEqual({ Rules: [] });
  });

  it('lists rules by name prefix', async () => {
    const bridge = setup(flakyTarget(0).deliver);
    bridge.putRule({ Name: 'other', EventPattern: '{"source":["x"]}' });
    expect(await bridge.handle('ListRules', { NamePrefix: 'oth' })).toMatchObject({
      Rules: [{ Name: 'other' }],
    });
  });
});

describe('formatEventTime', () => {
  it('writes seconds precision with a Z', () => {
    expect(formatEventTime(new Date('2024-01-01T00:00:00.999Z'))).toBe('2024-01-01T00:00:00Z');
  });
});
