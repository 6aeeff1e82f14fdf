import { METRIC_WINDOW_SECONDS } from './delta';
import type { MetricSeries } from './model';

/**
 * The metrics the functions emit, read from their log lines as CloudWatch
 * reads them: Powertools prints CloudWatch Embedded Metric Format (EMF)
 * objects to stdout, `{"_aws": {"Timestamp", "CloudWatchMetrics": [{
 * "Namespace", "Dimensions": [[names]], "Metrics": [{"Name", "Unit"}]}]},
 * <dimension>: value, <metric>: number | number[]}`. Kept per second for the
 * last five minutes, per metric and dimension set.
 */

export interface EmfDatum {
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  values: number[];
  /** Epoch ms (`_aws.Timestamp`). */
  time: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The metric values an EMF object carries; none for any other line. */
export const parseEmf = (json: Record<string, unknown>): EmfDatum[] => {
  const aws = json._aws;
  if (!isRecord(aws) || !Array.isArray(aws.CloudWatchMetrics)) return [];
  const time = typeof aws.Timestamp === 'number' ? aws.Timestamp : Date.now();
  const found: EmfDatum[] = [];
  for (const directive of aws.CloudWatchMetrics) {
    if (!isRecord(directive) || !Array.isArray(directive.Metrics)) continue;
    const namespace = typeof directive.Namespace === 'string' ? directive.Namespace : 'default';
    const dimensionSets =
      Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const metric of directive.Metrics) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') continue;
      const raw = json[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (value): value is number => typeof value === 'number' && Number.isFinite(value),
      );
      if (values.length === 0) continue;
      for (const names of dimensionSets) {
        if (!Array.isArray(names)) continue;
        const dimensions: Record<string, string> = {};
        for (const name of names) if (typeof name === 'string') dimensions[name] = String(json[name] ?? '');
        found.push({
          namespace,
          name: metric.Name,
          unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
          dimensions,
          values,
          time,
        });
      }
    }
  }
  return found;
};

/** `LiveComments/Delivered{service=connections,stage=local}`: one series per metric and dimension values. */
export const seriesKey = (datum: Pick<EmfDatum, 'namespace' | 'name' | 'dimensions'>) =>
  `${datum.namespace}/${datum.name}{${Object.entries(datum.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join(',')}}`;

/** Counts add up within a second (CloudWatch's Sum); anything else is averaged. */
const summed = (unit: string) => unit === 'Count' || unit.endsWith('/Second') || unit === 'None';

export interface EmfSeries {
  record(datum: EmfDatum): void;
  /** Every series seen, with its points in the window as of `now` (epoch ms). */
  series(now: number): Record<string, MetricSeries>;
}

export const createEmfSeries = (options: { maxSeries?: number } = {}): EmfSeries => {
  const maxSeries = options.maxSeries ?? 200;
  const kept = new Map<
    string,
    { meta: Omit<MetricSeries, 'points'>; seconds: Map<number, { sum: number; count: number }> }
  >();
  return {
    record(datum) {
      const key = seriesKey(datum);
      let entry = kept.get(key);
      if (!entry) {
        if (kept.size >= maxSeries) return;
        const { namespace, name, unit, dimensions } = datum;
        entry = { meta: { key, namespace, name, unit, dimensions }, seconds: new Map() };
        kept.set(key, entry);
      }
      const second = Math.floor(datum.time / 1000);
      const bucket = entry.seconds.get(second) ?? { sum: 0, count: 0 };
      for (const value of datum.values) {
        bucket.sum += value;
        bucket.count += 1;
      }
      entry.seconds.set(second, bucket);
    },
    series(now) {
      const oldest = Math.floor(now / 1000) - METRIC_WINDOW_SECONDS;
      const out: Record<string, MetricSeries> = {};
      for (const [key, entry] of kept) {
        // A series stays once seen (its chart with it), with no points once they are out of the window.
        for (const second of entry.seconds.keys()) if (second <= oldest) entry.seconds.delete(second);
        const add = summed(entry.meta.unit);
        const points = [...entry.seconds]
          .sort(([a], [b]) => a - b)
          .map(([second, { sum, count }]): [number, number] => [second, add ? sum : sum / count]);
        out[key] = { ...entry.meta, points };
      }
      return out;
    },
  };
};
