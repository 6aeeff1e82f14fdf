import { describe, expect, it } from 'vitest';
import { type FrameLimit, type FrameVerdict, nextArrival, verdictOf } from './frame-budget';

const limit: FrameLimit = { perSecond: 10, burst: 20, floodAfter: 5 };

/** Sends frames at the given times (ms) through one bucket and returns each verdict. */
const run = (times: number[], at: FrameLimit = limit): FrameVerdict[] => {
  let tat: number | undefined;
  return times.map((now) => {
    tat = nextArrival(tat, now, at);
    return verdictOf(tat, now, at);
  });
};

const burstAt = (now: number, count: number) => Array.from({ length: count }, () => now);

describe('the frame budget (GCRA)', () => {
  it('acts on a burst of `burst` frames at once, refuses the next, and calls the rest flooding', () => {
    const verdicts = run(burstAt(1_000, 30));

    expect(verdicts.slice(0, 20)).toEqual(Array(20).fill('accepted'));
    expect(verdicts.slice(20, 25)).toEqual(Array(5).fill('refused'));
    expect(verdicts.slice(25)).toEqual(Array(5).fill('flooding'));
  });

  it('keeps a connection at the rate acted on forever', () => {
    const times = Array.from({ length: 1_000 }, (_, i) => 1_000 + i * 100);

    expect(new Set(run(times))).toEqual(new Set(['accepted']));
  });

  it('refills at the rate: after the burst, one frame per interval, and a refused one costs its interval', () => {
    // Without the charge, three frames at 300 would be acted on (17, 18, 19 owed).
    const verdicts = run([...burstAt(0, 20), 50, 300, 300, 300]);

    expect(verdicts.slice(20)).toEqual(['refused', 'accepted', 'accepted', 'refused']);
  });

  it('starts a connection that was quiet for long with a full bucket, not more', () => {
    const verdicts = run([...burstAt(0, 20), ...burstAt(3_600_000, 21)]);

    expect(verdicts.slice(20, 40)).toEqual(Array(20).fill('accepted'));
    expect(verdicts[40]).toBe('refused');
  });

  it('charges refused frames: a client just above the rate ends up flooding, one that stops recovers', () => {
    // 12 a second against 10: the debt grows by 2 frames a second once the burst is spent.
    const tooFast = Array.from({ length: 300 }, (_, i) => Math.round((i * 1000) / 12));
    expect(run(tooFast).at(-1)).toBe('flooding');

    // Refused twice, then quiet for the interval of the frames it owes: acted on again.
    const stops = run([...burstAt(0, 22), 300]);
    expect(stops.slice(20)).toEqual(['refused', 'refused', 'accepted']);
  });

  it('counts fractional intervals without drift (3 a second)', () => {
    const third: FrameLimit = { perSecond: 3, burst: 1, floodAfter: 0 };
    const times = Array.from({ length: 3_000 }, (_, i) => (i * 1000) / 3);

    expect(new Set(run(times, third))).toEqual(new Set(['accepted']));
  });
});
