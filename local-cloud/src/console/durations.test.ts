import { describe, expect, it } from 'vitest';
import { createDurations, percentile } from './durations';

describe('durations', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('gives p50 and p99 over the last minute only, per function', () => {
    const durations = createDurations({ windowMs: 60_000 });
    durations.record('comments.createComment', 900, 0);
    for (let ms = 1; ms <= 100; ms++) durations.record('comments.createComment', ms, 30_000);
    durations.record('posts.getPost', 5, 30_000);
    expect(durations.percentiles('comments.createComment', 61_000)).toEqual({ p50Ms: 50, p99Ms: 99 });
    expect(durations.percentiles('posts.getPost', 61_000)).toEqual({ p50Ms: 5, p99Ms: 5 });
    expect(durations.percentiles('posts.getPost', 91_000)).toBeUndefined();
    expect(durations.percentiles('posts.listPosts', 0)).toBeUndefined();
  });
});
