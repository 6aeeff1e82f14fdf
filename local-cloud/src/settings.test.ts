import { describe, expect, it } from 'vitest';
import {
  checkFaultedFunctions,
  localSettings,
  overrideReservedConcurrency,
  scaleVisibilityTimeouts,
} from './settings';
import { queueDef, topologyWith } from './testing';
import type { FunctionDef } from './topology/model';

const fn = (key: string): FunctionDef => ({
  key,
  service: key.split('.')[0] ?? '',
  stack: 's',
  name: key.split('.')[1] ?? '',
  functionName: key,
  handler: 'h.handler',
  serviceDir: '/s',
  environment: {},
  timeoutSeconds: 6,
  memorySize: 1024,
});

describe('localSettings', () => {
  it("are AWS's limits, no faults and declared timeouts unless something is set", () => {
    expect(localSettings({}, {})).toEqual({
      limits: { accountRps: 10_000, accountBurst: 5_000, newConnectionsPerSecond: 500 },
      faults: {},
      visibilityTimeoutScale: 1,
    });
  });

  it('take the environment, and options over it', () => {
    const env = {
      LC_ACCOUNT_RPS: '2000',
      LC_NEW_CONNECTIONS_RPS: '5',
      LC_FAULTS: '{"functions":{"a.b":0.5}}',
      LC_VISIBILITY_SCALE: '0.1',
    };
    expect(localSettings({}, env)).toEqual({
      limits: { accountRps: 2000, accountBurst: 1000, newConnectionsPerSecond: 5 },
      faults: { functions: { 'a.b': 0.5 } },
      visibilityTimeoutScale: 0.1,
    });
    expect(
      localSettings({ limits: { accountRps: 50 }, faults: { seed: 1 }, visibilityTimeoutScale: 0.5 }, env),
    ).toEqual({
      limits: { accountRps: 50, accountBurst: 25, newConnectionsPerSecond: 5 },
      faults: { seed: 1 },
      visibilityTimeoutScale: 0.5,
    });
  });

  it('name a knob set to something unusable', () => {
    expect(() => localSettings({}, { LC_VISIBILITY_SCALE: 'fast' })).toThrow(
      'LC_VISIBILITY_SCALE: expected a number greater than 0, not "fast"',
    );
    expect(() => localSettings({ visibilityTimeoutScale: 0 }, {})).toThrow(
      'visibilityTimeoutScale: expected a number greater than 0, not 0',
    );
  });

  it('take an external edge from LC_EDGE_URL or the option, as an origin', () => {
    expect(localSettings({}, { LC_EDGE_URL: 'http://localhost:4566/' }).edgeUrl).toBe(
      'http://localhost:4566',
    );
    expect(localSettings({ edgeUrl: 'http://127.0.0.1:5170' }, { LC_EDGE_URL: 'http://x:1' }).edgeUrl).toBe(
      'http://127.0.0.1:5170',
    );
    expect(localSettings({}, { LC_EDGE_URL: '' })).not.toHaveProperty('edgeUrl');
    for (const bad of ['localhost:4566', 'ftp://localhost:4566', 'http://localhost:4566/aws', 'nope']) {
      expect(() => localSettings({}, { LC_EDGE_URL: bad })).toThrow(
        `LC_EDGE_URL: expected the URL of LocalStack or moto, such as http://localhost:4566, not ${JSON.stringify(bad)}`,
      );
    }
  });
});

describe('scaleVisibilityTimeouts', () => {
  it('multiplies every queue’s visibility timeout, in whole seconds of at least 1, and says so', () => {
    const topology = topologyWith({
      queues: [
        queueDef('work', { visibilityTimeoutSeconds: 180 }),
        queueDef('quick', { visibilityTimeoutSeconds: 3 }),
        queueDef('none', { visibilityTimeoutSeconds: 0 }),
      ],
    });
    expect(scaleVisibilityTimeouts(topology, 0.1)).toEqual([
      'work 180 s -> 18 s',
      'quick 3 s -> 1 s',
      'none 0 s -> 0 s',
    ]);
    expect(topology.queues.map((queue) => queue.visibilityTimeoutSeconds)).toEqual([18, 1, 0]);
    expect(scaleVisibilityTimeouts(topology, 1)).toEqual([]);
  });
});

describe('overrideReservedConcurrency', () => {
  it('sets and removes reserved concurrency by function key', () => {
    const topology = topologyWith({ functions: [fn('a.one'), { ...fn('a.two'), reservedConcurrency: 5 }] });
    overrideReservedConcurrency(topology, { 'a.one': 2, 'a.two': null });
    expect(topology.functions.map((f) => f.reservedConcurrency)).toEqual([2, undefined]);
    expect(() => overrideReservedConcurrency(topology, { 'a.three': 1 })).toThrow(
      'reservedConcurrency: no function a.three in the topology',
    );
  });
});

describe('checkFaultedFunctions', () => {
  it('refuses a fault plan that names a function the topology does not have', () => {
    const topology = topologyWith({ functions: [fn('a.one')] });
    expect(() => checkFaultedFunctions(topology, { functions: { 'a.one': 0.5 } })).not.toThrow();
    expect(() => checkFaultedFunctions(topology, { functions: { 'a.won': 0.5 } })).toThrow(
      'faults: no function a.won in the topology (known: a.one)',
    );
  });
});
