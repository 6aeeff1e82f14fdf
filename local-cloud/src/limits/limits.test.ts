import { describe, expect, it } from 'vitest';
import {
  AWS_LIMITS,
  createStageThrottles,
  createThrottles,
  createTokenBucket,
  describeLimits,
  describeStageThrottles,
  limitsFromEnvironment,
  resolveLimits,
} from './index';

const takes = (bucket: { take(): boolean }, count: number) =>
  Array.from({ length: count }, () => bucket.take()).filter(Boolean).length;

describe('createTokenBucket', () => {
  it('lets a full burst through at once, then the steady rate', () => {
    let clock = 0;
    const bucket = createTokenBucket({ ratePerSecond: 10, burst: 5, now: () => clock });
    expect(takes(bucket, 8)).toBe(5);
    clock += 100; // one token's worth at 10/s
    expect(takes(bucket, 3)).toBe(1);
    clock += 250;
    expect(takes(bucket, 3)).toBe(2);
  });

  it('never holds more than the burst, however long it stayed idle', () => {
    let clock = 0;
    const bucket = createTokenBucket({ ratePerSecond: 1000, burst: 3, now: () => clock });
    clock += 60_000;
    expect(takes(bucket, 10)).toBe(3);
  });

  it('throttles nothing when the rate is Infinity', () => {
    const bucket = createTokenBucket({ ratePerSecond: Number.POSITIVE_INFINITY, burst: 0 });
    expect(takes(bucket, 100_000)).toBe(100_000);
  });

  it('throttles everything with a burst of 0', () => {
    let clock = 0;
    const bucket = createTokenBucket({ ratePerSecond: 100, burst: 0, now: () => clock });
    clock += 1000;
    expect(takes(bucket, 5)).toBe(0);
  });
});

describe('limits', () => {
  it("are AWS's defaults unless set", () => {
    expect(resolveLimits()).toEqual({
      accountRps: 10_000,
      accountBurst: 5_000,
      newConnectionsPerSecond: 500,
    });
    expect(resolveLimits()).toEqual(AWS_LIMITS);
  });

  it("keep AWS's burst proportion when only the rate is lowered", () => {
    expect(resolveLimits({ accountRps: 2000 })).toMatchObject({ accountRps: 2000, accountBurst: 1000 });
    expect(resolveLimits({ accountRps: 1 })).toMatchObject({ accountBurst: 1 });
    expect(resolveLimits({ accountRps: 2000, accountBurst: 10 })).toMatchObject({ accountBurst: 10 });
  });

  it('are read from LC_ACCOUNT_RPS, LC_ACCOUNT_BURST and LC_NEW_CONNECTIONS_RPS', () => {
    expect(
      limitsFromEnvironment({
        LC_ACCOUNT_RPS: '2000',
        LC_ACCOUNT_BURST: '50',
        LC_NEW_CONNECTIONS_RPS: 'off',
      }),
    ).toEqual({ accountRps: 2000, accountBurst: 50, newConnectionsPerSecond: Number.POSITIVE_INFINITY });
    expect(limitsFromEnvironment({})).toEqual({});
    expect(() => limitsFromEnvironment({ LC_ACCOUNT_RPS: 'fast' })).toThrow(
      'LC_ACCOUNT_RPS=fast: expected a number of requests per second (or "off")',
    );
  });

  it('give the account and new connections a bucket each', () => {
    let clock = 0;
    const throttles = createThrottles(
      resolveLimits({ accountRps: 4, accountBurst: 2, newConnectionsPerSecond: 1 }),
      () => clock,
    );
    expect(takes(throttles.account, 5)).toBe(2);
    expect(takes(throttles.newConnections, 5)).toBe(1);
    clock += 1000;
    expect(takes(throttles.account, 5)).toBe(2);
    expect(takes(throttles.newConnections, 5)).toBe(1);
  });

  it('say in the summary where they differ from AWS', () => {
    expect(describeLimits(AWS_LIMITS)).toBe(
      "account 10,000/s, burst 5,000; new connections 500/s  (AWS's defaults)",
    );
    expect(describeLimits(resolveLimits({ accountRps: 2000, newConnectionsPerSecond: Infinity }))).toBe(
      'account 2,000/s, burst 1,000; new connections unlimited  (AWS: 10,000/s, burst 5,000; 500/s)',
    );
  });
});

describe('stage throttles', () => {
  const apis = [
    { apiId: 'local-posts-http', throttle: { rateLimit: 2, burstLimit: 3 } },
    { apiId: 'local-comments-http' },
    { apiId: 'local-connections-ws', throttle: { rateLimit: Number.POSITIVE_INFINITY, burstLimit: 0 } },
  ];

  it('give a bucket to each stage that sets throttling, and none to the others', () => {
    let clock = 0;
    const buckets = createStageThrottles(apis, () => clock);
    expect([...buckets.keys()]).toEqual(['local-posts-http', 'local-connections-ws']);
    const posts = buckets.get('local-posts-http');
    if (!posts) throw new Error('no bucket');
    expect(takes(posts, 5)).toBe(3);
    clock += 500;
    expect(takes(posts, 5)).toBe(1);
    expect(takes(buckets.get('local-connections-ws') ?? posts, 1000)).toBe(1000);
  });

  it('are listed in the summary', () => {
    expect(describeStageThrottles(apis)).toEqual([
      'local-posts-http stage 2/s, burst 3',
      'local-connections-ws stage unlimited',
    ]);
  });
});
