import {
  type ConsoleDelta,
  type ConsoleState,
  KEYED_SECTIONS,
  type KeyedSection,
  type MetricSeries,
} from './model';

/**
 * The console's deltas: what changed between two states the server computed,
 * and applying one to the state the page holds. Used on both sides (the page
 * bundles this file).
 */

/** Seconds of metric points kept: the charts show the last five minutes. */
export const METRIC_WINDOW_SECONDS = 300;
/** Log lines the page keeps. */
export const KEPT_LOG_LINES = 500;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const diffKeyed = <T>(before: Record<string, T>, after: Record<string, T>) => {
  const set: Record<string, T> = {};
  for (const [key, row] of Object.entries(after)) if (!same(before[key], row)) set[key] = row;
  const removed = Object.keys(before).filter((key) => !(key in after));
  return { set, removed };
};

/** The points of `after` from the last one `before` had on (that second may have grown since). */
const newPoints = (before: MetricSeries | undefined, after: MetricSeries): [number, number][] => {
  const last = before?.points.at(-1);
  if (!last) return after.points;
  return after.points.filter(
    ([second, value]) => second > last[0] || (second === last[0] && value !== last[1]),
  );
};

export const diffStates = (before: ConsoleState, after: ConsoleState): ConsoleDelta => {
  const delta: ConsoleDelta = { at: after.at };
  const sets: NonNullable<ConsoleDelta['set']> = {};
  const removals: NonNullable<ConsoleDelta['removed']> = {};
  for (const section of KEYED_SECTIONS) {
    const { set, removed } = diffKeyed<unknown>(before[section], after[section]);
    if (Object.keys(set).length > 0) sets[section] = set as never;
    if (removed.length > 0) removals[section] = removed;
  }
  if (Object.keys(sets).length > 0) delta.set = sets;
  if (Object.keys(removals).length > 0) delta.removed = removals;
  if (!same(before.events, after.events)) delta.events = after.events;
  if (!same(before.realtime, after.realtime)) delta.realtime = after.realtime;
  if (!same(before.path, after.path)) delta.path = after.path;
  if (!same(before.dashboards, after.dashboards)) delta.dashboards = after.dashboards;
  const metrics: Record<string, MetricSeries> = {};
  for (const [key, series] of Object.entries(after.metrics)) {
    const points = newPoints(before.metrics[key], series);
    if (!before.metrics[key] || points.length > 0) metrics[key] = { ...series, points };
  }
  if (Object.keys(metrics).length > 0) delta.metrics = metrics;
  const lastSeq = before.logs.at(-1)?.seq ?? 0;
  const logs = after.logs.filter((line) => line.seq > lastSeq);
  if (logs.length > 0) delta.logs = logs;
  return delta;
};

/** Whether a delta says nothing beyond its time (the server then skips sending it). */
export const isEmptyDelta = (delta: ConsoleDelta) => Object.keys(delta).every((key) => key === 'at');

const applyKeyed = <K extends KeyedSection>(state: ConsoleState, delta: ConsoleDelta, section: K) => {
  const set = delta.set?.[section];
  const removed = delta.removed?.[section];
  if (!set && !removed) return state[section];
  const next = { ...state[section], ...(set ?? {}) };
  for (const key of removed ?? []) delete next[key];
  return next;
};

/** Merges new points into a series: a second sent again replaces the one kept; older than the window go. */
export const mergePoints = (
  kept: [number, number][],
  incoming: [number, number][],
  nowSecond: number,
): [number, number][] => {
  const from = incoming[0]?.[0] ?? Number.POSITIVE_INFINITY;
  const oldest = nowSecond - METRIC_WINDOW_SECONDS;
  return [...kept.filter(([second]) => second < from), ...incoming].filter(([second]) => second > oldest);
};

export const applyDelta = (state: ConsoleState, delta: ConsoleDelta): ConsoleState => {
  const nowSecond = Math.floor(delta.at / 1000);
  const metrics = { ...state.metrics };
  for (const [key, series] of Object.entries(delta.metrics ?? {})) {
    const kept = metrics[key];
    metrics[key] = { ...series, points: mergePoints(kept?.points ?? [], series.points, nowSecond) };
  }
  return {
    at: delta.at,
    functions: applyKeyed(state, delta, 'functions'),
    queues: applyKeyed(state, delta, 'queues'),
    deadLetters: applyKeyed(state, delta, 'deadLetters'),
    rules: applyKeyed(state, delta, 'rules'),
    events: delta.events ?? state.events,
    realtime: delta.realtime ?? state.realtime,
    path: delta.path ?? state.path,
    dashboards: delta.dashboards ?? state.dashboards,
    metrics,
    logs: delta.logs ? [...state.logs, ...delta.logs].slice(-KEPT_LOG_LINES) : state.logs,
  };
};
