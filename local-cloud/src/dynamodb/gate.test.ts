import { describe, expect, it } from 'vitest';
import { createGate } from './gate';

/** A promise to settle by hand, and a log of what ran when. */
const deferred = () => {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const ticks = async (count = 5) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('gate', () => {
  it('runs shared work concurrently', async () => {
    const gate = createGate();
    const first = deferred();
    const started: string[] = [];
    const a = gate.shared(async (name: string) => {
      started.push(name);
      await first.promise;
    }, 'a');
    const b = gate.shared(async (name: string) => {
      started.push(name);
    }, 'b');
    await b;
    expect(started).toEqual(['a', 'b']);
    first.resolve();
    await a;
  });

  it('starts exclusive work after the shared work in flight, and holds later shared work until it ends', async () => {
    const gate = createGate();
    const log: string[] = [];
    const inFlight = deferred();
    const exclusiveWork = deferred();
    const before = gate.shared(async () => {
      log.push('shared 1 start');
      await inFlight.promise;
      log.push('shared 1 end');
    }, undefined);
    const exclusive = gate.exclusive(async () => {
      log.push('exclusive start');
      await exclusiveWork.promise;
      log.push('exclusive end');
    });
    const after = gate.shared(async () => {
      log.push('shared 2');
    }, undefined);
    await ticks();
    expect(log).toEqual(['shared 1 start']);
    inFlight.resolve();
    await ticks();
    expect(log).toEqual(['shared 1 start', 'shared 1 end', 'exclusive start']);
    exclusiveWork.resolve();
    await Promise.all([before, exclusive, after]);
    expect(log).toEqual(['shared 1 start', 'shared 1 end', 'exclusive start', 'exclusive end', 'shared 2']);
  });

  it('runs exclusive work one at a time, in arrival order', async () => {
    const gate = createGate();
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name} start`);
      await ticks(2);
      log.push(`${name} end`);
    };
    await Promise.all([gate.exclusive(work('a')), gate.exclusive(work('b')), gate.exclusive(work('c'))]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('reopens after failures, thrown or rejected', async () => {
    const gate = createGate();
    await expect(
      gate.shared(() => {
        throw new Error('sync');
      }, undefined),
    ).rejects.toThrow('sync');
    await expect(gate.shared(() => Promise.reject(new Error('async')), undefined)).rejects.toThrow('async');
    await expect(gate.exclusive(() => Promise.reject(new Error('exclusive')))).rejects.toThrow('exclusive');
    // Neither a stuck in-flight count nor a stuck exclusive run may block what follows.
    const exclusive = gate.exclusive(async () => 'alone');
    const shared = gate.shared(async () => 'shared', undefined);
    expect(await Promise.race([Promise.all([exclusive, shared]), ticks(20).then(() => 'stuck')])).toEqual([
      'alone',
      'shared',
    ]);
  });
});
