import { describe, expect, it } from 'vitest';
import { createSendRate } from './send-rate';

const options = {
  initialPerSecond: 100,
  minPerSecond: 10,
  maxPerSecond: 1000,
  increasePerSecond: 50,
  slackMs: 0,
};

const clock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('the send rate', () => {
  it('spaces turns one interval apart, and an idle rate earns no burst beyond its slack', () => {
    const time = clock();
    const rate = createSendRate(time.now, options);

    expect([1, 2, 3].map(() => rate.reserve(Number.POSITIVE_INFINITY)?.waitMs)).toEqual([0, 10, 20]);
    time.advance(1000);
    expect([1, 2].map(() => rate.reserve(Number.POSITIVE_INFINITY)?.waitMs)).toEqual([0, 10]);
  });

  it('lets a turn start up to slackMs early, never more, and keeps the average rate', () => {
    const time = clock();
    const rate = createSendRate(time.now, { ...options, slackMs: 25 });

    // Due at 0, 10, 20, 30, 40: the first three within 25 ms go at once, then each 10 ms early.
    expect([1, 2, 3, 4, 5].map(() => rate.reserve(Number.POSITIVE_INFINITY)?.waitMs)).toEqual([
      0, 0, 0, 5, 15,
    ]);
    time.advance(1000);
    // Idle for a second: no more than the slack's worth at once.
    expect([1, 2, 3, 4].map(() => rate.reserve(Number.POSITIVE_INFINITY)?.waitMs)).toEqual([0, 0, 0, 5]);
  });

  it('gives no turn that would start at or after the end of the budget, and reserves nothing then', () => {
    const time = clock();
    const rate = createSendRate(time.now, options);

    expect(rate.reserve(15)?.waitMs).toBe(0);
    expect(rate.reserve(15)?.waitMs).toBe(10);
    expect(rate.reserve(15)).toBeUndefined();
    expect(rate.reserve(25)?.waitMs).toBe(20);
  });

  it('halves once for a burst of 429s of sends made at the same rate, and again for one made after', () => {
    const rate = createSendRate(clock().now, options);
    const before = [1, 2, 3].map(() => rate.reserve(Number.POSITIVE_INFINITY));

    for (const turn of before) if (turn) rate.throttled(turn);
    expect(rate.perSecond).toBe(50);

    const after = rate.reserve(Number.POSITIVE_INFINITY);
    if (after) rate.throttled(after);
    expect(rate.perSecond).toBe(25);
  });

  it('never goes below its minimum nor above its maximum', () => {
    const rate = createSendRate(clock().now, options);
    for (let i = 0; i < 20; i++) {
      const turn = rate.reserve(Number.POSITIVE_INFINITY);
      if (turn) rate.throttled(turn);
    }
    expect(rate.perSecond).toBe(10);

    for (let i = 0; i < 100_000; i++) rate.succeeded();
    expect(rate.perSecond).toBe(1000);
  });

  it('grows additively: a second of successful sends adds increasePerSecond', () => {
    const rate = createSendRate(clock().now, options);
    // A second of sends at the rate, whatever it has grown to meanwhile.
    let due = 0;
    for (let ms = 0; ms < 1000; ms++) {
      for (due += rate.perSecond / 1000; due >= 1; due--) rate.succeeded();
    }
    expect(rate.perSecond).toBeGreaterThan(148);
    expect(rate.perSecond).toBeLessThan(151);
  });

  it('resumes, for the next invocation, where it was, grown for the time since its last turn', () => {
    const time = clock();
    const rate = createSendRate(time.now, options);
    expect(rate.resumed()).toBe(100);
    const turn = rate.reserve(Number.POSITIVE_INFINITY);
    if (turn) rate.throttled(turn);

    expect(rate.resumed()).toBe(50);
    time.advance(2000);
    expect(rate.resumed()).toBe(150);
    time.advance(60_000);
    expect(rate.resumed()).toBe(1000);
  });
});
