import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartsOf, dashboardBodyOf, readDashboards } from './dashboards';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

describe('the dashboards’ charts of emitted metrics', () => {
  it('reads the LiveComments widgets of a DashboardBody, in the dashboard’s order, with their labels', () => {
    // serverless.yml's own variables, as the file has them.
    const yaml = `
    Dashboard:
      Type: AWS::CloudWatch::Dashboard
      Properties:
        DashboardBody: !Sub |
          {"widgets": [
            {"type": "metric", "x": 12, "y": 0, "properties": {"title": "Age", "metrics": [["LiveComments", "EventAgeAtDelivery", "service", "connections", "stage", "\${sls:stage}", {"stat": "p50", "label": "age p50"}], ["LiveComments", "EventAgeAtDelivery", "service", "connections", "stage", "\${sls:stage}", {"stat": "p99"}]]}},
            {"type": "metric", "x": 0, "y": 0, "properties": {"title": "Frames", "metrics": [["LiveComments", "Delivered", "service", "connections", "stage", "\${sls:stage}"], ["AWS/Lambda", "Errors", "FunctionName", "\${BroadcastLambdaFunction}"]]}},
            {"type": "metric", "x": 0, "y": 6, "properties": {"title": "Lambda only", "metrics": [["AWS/Lambda", "Errors", "FunctionName", "\${X}"]]}},
            {"type": "text", "x": 0, "y": 0, "properties": {"markdown": "## \${sls:stage}"}}
          ]}
  Outputs:
`;
    const body = dashboardBodyOf(yaml);
    expect(body).toBeDefined();
    expect(chartsOf('connections', body ?? '', 'local')).toEqual([
      {
        service: 'connections',
        title: 'Frames',
        metrics: [
          {
            key: 'LiveComments/Delivered{service=connections,stage=local}',
            name: 'Delivered',
            label: 'Delivered',
          },
        ],
      },
      {
        service: 'connections',
        title: 'Age',
        metrics: [
          {
            key: 'LiveComments/EventAgeAtDelivery{service=connections,stage=local}',
            name: 'EventAgeAtDelivery',
            label: 'age p50',
          },
        ],
      },
    ]);
  });

  it('finds charts in every service’s real dashboard', async () => {
    const charts = await readDashboards(
      ['posts', 'comments', 'connections'].map((service) => ({
        service,
        dir: resolve(ROOT, 'services', service),
      })),
      'local',
    );
    expect(new Set(charts.map((chart) => chart.service))).toEqual(
      new Set(['posts', 'comments', 'connections']),
    );
    expect(charts.flatMap((chart) => chart.metrics.map((metric) => metric.name))).toContain('Delivered');
  });
});
