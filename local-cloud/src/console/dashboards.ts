import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seriesKey } from './emf';
import type { DashboardChart } from './model';

/**
 * The charts of the stacks' CloudWatch dashboards that show metrics the
 * functions emit (namespace LiveComments, from their EMF lines), so the
 * console lays those out as the dashboards do: one panel per service, the
 * widgets' titles, their metrics together. Read from each service's
 * serverless.yml (the `DashboardBody: !Sub |` JSON): the stage is the only
 * substitution such metrics use; the AWS/* metrics there (API Gateway,
 * Lambda, SQS) have no EMF lines and the console's other panels show them.
 */

const NAMESPACE = 'LiveComments';

/** The JSON after `DashboardBody: !Sub |`: the lines indented deeper than the key. */
export const dashboardBodyOf = (yaml: string): string | undefined => {
  const lines = yaml.split('\n');
  const at = lines.findIndex((line) => /^\s*DashboardBody:\s*!Sub\s*\|\s*$/.test(line));
  if (at === -1) return undefined;
  const indent = (lines[at] ?? '').search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() !== '' && line.search(/\S/) <= indent) break;
    body.push(line);
  }
  return body.join('\n');
};

type MetricEntry = (string | Record<string, unknown>)[];

/** The dashboard's widgets that chart LiveComments metrics, in the dashboard's order (top to bottom, left to right). */
export const chartsOf = (service: string, body: string, stage: string): DashboardChart[] => {
  // `${sls:stage}` is the stage; any other `${...}` (a resource, a pseudo parameter) is no EMF dimension.
  const substituted = body.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    name === 'sls:stage' ? stage : '_',
  );
  const { widgets = [] } = JSON.parse(substituted) as {
    widgets?: {
      type?: string;
      x?: number;
      y?: number;
      properties?: { title?: string; metrics?: MetricEntry[] };
    }[];
  };
  return widgets
    .filter((widget) => widget.type === 'metric')
    .sort((a, b) => (a.y ?? 0) - (b.y ?? 0) || (a.x ?? 0) - (b.x ?? 0))
    .flatMap((widget): DashboardChart[] => {
      const metrics = (widget.properties?.metrics ?? []).flatMap((entry) => {
        const [namespace, name, ...rest] = entry;
        if (namespace !== NAMESPACE || typeof name !== 'string') return [];
        const options = rest.find((part): part is Record<string, unknown> => typeof part === 'object');
        const names = rest.filter((part): part is string => typeof part === 'string');
        const dimensions: Record<string, string> = {};
        for (let index = 0; index + 1 < names.length; index += 2)
          dimensions[names[index] as string] = names[index + 1] as string;
        const label = typeof options?.label === 'string' ? options.label : name;
        return [{ key: seriesKey({ namespace, name, dimensions }), name, label }];
      });
      // One series per metric: a widget's p50 and p99 of one metric are one series here (a per-second average).
      const unique = metrics.filter(
        (metric, index) => metrics.findIndex((one) => one.key === metric.key) === index,
      );
      return unique.length > 0
        ? [{ service, title: widget.properties?.title ?? service, metrics: unique }]
        : [];
    });
};

/** Every service's dashboard charts; a service without a readable dashboard has none. */
export const readDashboards = async (
  services: { service: string; dir: string }[],
  stage: string,
): Promise<DashboardChart[]> => {
  const charts = await Promise.all(
    services.map(async ({ service, dir }) => {
      try {
        const body = dashboardBodyOf(await readFile(join(dir, 'serverless.yml'), 'utf8'));
        return body ? chartsOf(service, body, stage) : [];
      } catch {
        return [];
      }
    }),
  );
  return charts.flat();
};
