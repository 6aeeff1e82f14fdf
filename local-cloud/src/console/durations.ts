/**
 * Invocation durations per function over the last minute, for the p50 and
 * p99 the console shows (CloudWatch's Duration statistics over a period).
 * Each function keeps at most `maxSamples` (the newest), so a burst costs
 * bounded memory.
 */

export interface Durations {
  record(functionKey: string, durationMs: number, at?: number): void;
  /** The nearest-rank percentiles of the samples within the window; undefined with none. */
  percentiles(functionKey: string, now?: number): { p50Ms: number; p99Ms: number } | undefined;
}

/** The nearest-rank percentile of sorted values (`p` in 0..100). */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
};

export const createDurations = (options: { windowMs?: number; maxSamples?: number } = {}): Durations => {
  const windowMs = options.windowMs ?? 60_000;
  const maxSamples = options.maxSamples ?? 2_000;
  const samples = new Map<string, { at: number; ms: number }[]>();
  return {
    record(functionKey, durationMs, at = Date.now()) {
      const kept = samples.get(functionKey) ?? [];
      kept.push({ at, ms: durationMs });
      if (kept.length > maxSamples) kept.splice(0, kept.length - maxSamples);
      samples.set(functionKey, kept);
    },
    percentiles(functionKey, now = Date.now()) {
      const kept = samples.get(functionKey);
      if (!kept) return undefined;
      const from = kept.findIndex((sample) => sample.at > now - windowMs);
      if (from === -1) {
        samples.delete(functionKey);
        return undefined;
      }
      if (from > 0) kept.splice(0, from);
      const sorted = kept.map((sample) => sample.ms).sort((a, b) => a - b);
      return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    },
  };
};
