import { describe, expect, it } from 'vitest';
import type { Rule, TargetSpec } from '../eventbridge/model';
import { createFaults, faultsFromEnvironment, validateFaults } from './index';

const rule = (name: string) => ({ name }) as Rule;
const target = (id: string) => ({ Id: id, Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }) as TargetSpec;

const count = (times: number, pick: () => unknown) =>
  Array.from({ length: times }, pick).filter((picked) => picked !== undefined).length;

describe('createFaults', () => {
  it('fails about the given fraction of a function’s invocations, and no other function’s', () => {
    const faults = createFaults({ seed: 1, functions: { 'svc.flaky': 0.3 } });
    const failures = count(10_000, () => faults.functionFailure?.('svc.flaky'));
    expect(failures).toBeGreaterThan(2800);
    expect(failures).toBeLessThan(3200);
    expect(count(1000, () => faults.functionFailure?.('svc.other'))).toBe(0);
  });

  it('fails with a function error that says it was injected', () => {
    const faults = createFaults({ functions: { 'svc.always': 1 } });
    expect(faults.functionFailure?.('svc.always')).toEqual({
      errorType: 'InjectedFault',
      errorMessage: 'The local cloud failed this invocation on purpose (faults: 100 % of svc.always)',
    });
  });

  it('repeats the same draws with the same seed, each stream on its own', () => {
    const picks = (interleave: boolean) => {
      const faults = createFaults({ seed: 7, functions: { 'svc.a': 0.5, 'svc.b': 0.5 } });
      return Array.from({ length: 50 }, () => {
        if (interleave) faults.functionFailure?.('svc.b');
        return faults.functionFailure?.('svc.a') === undefined;
      });
    };
    expect(picks(false)).toEqual(picks(true));
    const other = createFaults({ seed: 8, functions: { 'svc.a': 0.5 } });
    expect(Array.from({ length: 50 }, () => other.functionFailure?.('svc.a') === undefined)).not.toEqual(
      picks(false),
    );
  });

  it('answers @connections calls with 5xx and 429 at their rates from one draw', () => {
    const faults = createFaults({
      seed: 3,
      connections: [
        { failureRate: 0.1, status: 500 },
        { failureRate: 0.05, status: 429 },
      ],
    });
    const answers = Array.from({ length: 20_000 }, () => faults.connectionsFault?.()?.status);
    const share = (status: number) => answers.filter((answer) => answer === status).length / answers.length;
    expect(share(500)).toBeCloseTo(0.1, 1);
    expect(share(429)).toBeCloseTo(0.05, 1);
    expect(answers.filter((answer) => answer === undefined).length / answers.length).toBeCloseTo(0.85, 1);
    expect(createFaults({ connections: { failureRate: 1, status: 429 } }).connectionsFault?.()).toEqual({
      status: 429,
      errorType: 'LimitExceededException',
      message: 'Rate exceeded',
    });
    expect(createFaults({ connections: { failureRate: 1 } }).connectionsFault?.()).toEqual({
      status: 500,
      errorType: 'InternalServerErrorException',
      message: 'Internal server error',
    });
  });

  it('makes a named rule target refuse delivery with a retriable error', () => {
    const faults = createFaults({ targets: [{ rule: 'orders', target: 'work' }] });
    const refused = faults.targetRefusal?.(rule('orders'), target('work'));
    expect(refused).toMatchObject({ errorCode: 'INTERNAL_ERROR', retriable: true });
    expect(faults.targetRefusal?.(rule('orders'), target('audit'))).toBeUndefined();
    expect(faults.targetRefusal?.(rule('other'), target('work'))).toBeUndefined();
    const wholeRule = createFaults({ targets: [{ rule: 'orders' }] });
    expect(wholeRule.targetRefusal?.(rule('orders'), target('audit'))).toBeDefined();
  });

  it('injects nothing without a plan, and says what it injects', () => {
    const none = createFaults();
    expect([none.functionFailure, none.connectionsFault, none.targetRefusal]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(none.describe()).toEqual([]);
    expect(
      createFaults({
        seed: 42,
        functions: { 'connections.broadcast': 0.3 },
        connections: { failureRate: 0.05 },
        targets: [{ rule: 'r', target: 't', failureRate: 0.5 }],
      }).describe(),
    ).toEqual([
      '30 % of connections.broadcast invocations fail',
      '5 % of @connections calls answer 500 InternalServerErrorException',
      "50 % of deliveries to rule r's target t refused",
      'seed 42',
    ]);
  });
});

describe('the fault plan', () => {
  it('is read from LC_FAULTS as JSON', () => {
    expect(faultsFromEnvironment({ LC_FAULTS: '{"seed":1,"functions":{"a.b":0.5}}' })).toEqual({
      seed: 1,
      functions: { 'a.b': 0.5 },
    });
    expect(faultsFromEnvironment({})).toBeUndefined();
    expect(() => faultsFromEnvironment({ LC_FAULTS: '{oops' })).toThrow(/^LC_FAULTS: not JSON/);
  });

  it('names what is wrong', () => {
    expect(() => validateFaults({ functions: { 'a.b': 2 } }, 'LC_FAULTS')).toThrow(
      'LC_FAULTS: functions.a.b must be a fraction from 0 to 1, not 2',
    );
    expect(() => validateFaults({ connections: { failureRate: 0.1, status: 404 } })).toThrow(
      'faults: connections.status must be 429 or a 5xx, not 404',
    );
    expect(() => validateFaults({ targets: [{ target: 'x' }] })).toThrow(
      'faults: targets[0] must be { rule, target?, failureRate? }',
    );
    expect(() => validateFaults({ function: {} })).toThrow(
      'faults: unknown key function (known: seed, functions, connections, targets)',
    );
    expect(() =>
      validateFaults({
        connections: [
          { failureRate: 0.6, status: 500 },
          { failureRate: 0.6, status: 429 },
        ],
      }),
    ).toThrow('faults: the connections failure rates add up to more than 1');
  });
});
