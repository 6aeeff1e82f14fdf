import { describe, expect, it } from 'vitest';
import { applyDelta, diffStates, isEmptyDelta, mergePoints } from './delta';
import type { ConsoleState, FunctionRow } from './model';

const fn = (key: string, invocations: number): FunctionRow => ({
  key,
  service: key.split('.')[0] ?? key,
  invocations,
  errors: 0,
  throttles: 0,
  coldStarts: 0,
  concurrency: 0,
});

const state = (overrides: Partial<ConsoleState> = {}): ConsoleState => ({
  at: 1_700_000_000_000,
  functions: { 'posts.getPost': fn('posts.getPost', 1), 'posts.listPosts': fn('posts.listPosts', 0) },
  queues: {},
  deadLetters: {},
  rules: {},
  events: [],
  realtime: { openConnections: 0, framesSent: 0, framesPerSecond: 0, messagesReceived: 0, topics: [] },
  metrics: {},
  dashboards: [],
  logs: [],
  path: [],
  ...overrides,
});

describe('console deltas', () => {
  it('carry only the rows that changed and the keys that went, and rebuild the new state', () => {
    const before = state();
    const after = state({
      at: before.at + 1000,
      functions: { 'posts.getPost': fn('posts.getPost', 2) },
      realtime: { ...before.realtime, openConnections: 3 },
      logs: [{ seq: 7, time: '2026-12-06T10:00:00.000Z', function: 'posts.getPost', message: 'hello' }],
    });
    const delta = diffStates(before, after);
    expect(delta).toEqual({
      at: after.at,
      set: { functions: { 'posts.getPost': fn('posts.getPost', 2) } },
      removed: { functions: ['posts.listPosts'] },
      realtime: after.realtime,
      logs: after.logs,
    });
    expect(applyDelta(before, delta)).toEqual(after);
  });

  it('is empty when nothing changed but the time', () => {
    const before = state();
    expect(isEmptyDelta(diffStates(before, { ...before, at: before.at + 1000 }))).toBe(true);
  });

  it('send a series whole the first time, then only its new points (and the last second again if it grew)', () => {
    const series = (points: [number, number][]) => ({
      key: 'LiveComments/Delivered{}',
      namespace: 'LiveComments',
      name: 'Delivered',
      unit: 'Count',
      dimensions: {},
      points,
    });
    const empty = state();
    const first = state({ metrics: { d: series([[1_700_000_000, 1]]) } });
    expect(diffStates(empty, first).metrics).toEqual({ d: series([[1_700_000_000, 1]]) });
    const second = state({
      at: empty.at + 2000,
      metrics: {
        d: series([
          [1_700_000_000, 4],
          [1_700_000_001, 2],
        ]),
      },
    });
    const delta = diffStates(first, second);
    expect(delta.metrics?.d?.points).toEqual([
      [1_700_000_000, 4],
      [1_700_000_001, 2],
    ]);
    expect(applyDelta(first, delta).metrics.d?.points).toEqual(second.metrics.d?.points);
  });

  it('drop points older than the five minutes the charts show', () => {
    expect(mergePoints([[100, 1]], [[500, 2]], 500)).toEqual([[500, 2]]);
    expect(
      mergePoints(
        [
          [400, 1],
          [401, 1],
        ],
        [[401, 3]],
        401,
      ),
    ).toEqual([
      [400, 1],
      [401, 3],
    ]);
  });
});
