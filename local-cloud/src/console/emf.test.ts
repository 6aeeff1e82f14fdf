import { describe, expect, it } from 'vitest';
import { createEmfSeries, parseEmf, seriesKey } from './emf';

/** A line as Powertools' Metrics prints it on flush. */
const powertoolsLine = (
  time: number,
  values: Record<string, number | number[]>,
  units: Record<string, string>,
) => ({
  _aws: {
    Timestamp: time,
    CloudWatchMetrics: [
      {
        Namespace: 'LiveComments',
        Dimensions: [['service', 'stage']],
        Metrics: Object.keys(values).map((Name) => ({ Name, Unit: units[Name] ?? 'Count' })),
      },
    ],
  },
  service: 'connections',
  stage: 'local',
  ...values,
});

describe('parseEmf', () => {
  it('reads each metric of an EMF object with its dimensions, unit and values (arrays too)', () => {
    const data = parseEmf(
      powertoolsLine(
        1_700_000_000_500,
        { Delivered: 3, EventAgeAtDelivery: [12, 30] },
        { EventAgeAtDelivery: 'Milliseconds' },
      ),
    );
    expect(data).toEqual([
      {
        namespace: 'LiveComments',
        name: 'Delivered',
        unit: 'Count',
        dimensions: { service: 'connections', stage: 'local' },
        values: [3],
        time: 1_700_000_000_500,
      },
      {
        namespace: 'LiveComments',
        name: 'EventAgeAtDelivery',
        unit: 'Milliseconds',
        dimensions: { service: 'connections', stage: 'local' },
        values: [12, 30],
        time: 1_700_000_000_500,
      },
    ]);
  });

  it('ignores lines that are not EMF, and metrics without a number', () => {
    expect(parseEmf({ level: 'INFO', message: 'Broadcast page sent' })).toEqual([]);
    expect(parseEmf(powertoolsLine(1, { Delivered: Number.NaN }, {}))).toEqual([]);
  });
});

describe('createEmfSeries', () => {
  it('sums counts per second, averages other units, and keeps a series once seen', () => {
    const series = createEmfSeries();
    const at = 1_700_000_000_000;
    const record = (line: Record<string, unknown>) => {
      for (const datum of parseEmf(line)) series.record(datum);
    };
    record(
      powertoolsLine(
        at + 100,
        { Delivered: 2, EventAgeAtDelivery: 10 },
        { EventAgeAtDelivery: 'Milliseconds' },
      ),
    );
    record(
      powertoolsLine(
        at + 900,
        { Delivered: 3, EventAgeAtDelivery: 30 },
        { EventAgeAtDelivery: 'Milliseconds' },
      ),
    );
    record(powertoolsLine(at + 1_200, { Delivered: 1 }, {}));
    const dimensions = { service: 'connections', stage: 'local' };
    const delivered = seriesKey({ namespace: 'LiveComments', name: 'Delivered', dimensions });
    const age = seriesKey({ namespace: 'LiveComments', name: 'EventAgeAtDelivery', dimensions });
    expect(delivered).toBe('LiveComments/Delivered{service=connections,stage=local}');
    const now = series.series(at + 2_000);
    expect(now[delivered]?.points).toEqual([
      [1_700_000_000, 5],
      [1_700_000_001, 1],
    ]);
    expect(now[age]?.points).toEqual([[1_700_000_000, 20]]);
    // Five minutes on, the points are gone but the series (its chart) stays.
    expect(series.series(at + 301_000)[delivered]).toMatchObject({ name: 'Delivered', points: [] });
  });
});
