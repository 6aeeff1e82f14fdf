import type { LocalCloud } from './index';
import { describeLimits } from './limits';

const section = (title: string, lines: string[]) =>
  lines.length === 0 ? '' : `\n${title}\n${lines.map((line) => `  ${line}`).join('\n')}\n`;

/** What a developer needs at start: where everything is, and what was stood up. */
export const summary = (cloud: LocalCloud, options: { watch: boolean }): string => {
  const { topology, urls, ports, edgeInUse } = cloud;
  const human = (url: string) => url.replace('127.0.0.1', 'localhost');
  const routes = topology.httpRoutes
    .map((r) => `${r.routeKey.padEnd(52)} ${r.functionKey}${r.authorizer ? '  (JWT)' : ''}`)
    .sort();
  const wsRoutes = topology.webSocketApis.flatMap((api) =>
    api.routes.map((r) => `${r.route.padEnd(16)} ${r.functionKey}`),
  );
  const rules = topology.rules.map(
    (r) => `${r.name} on ${r.busName} -> ${r.targets.map((t) => t.arn.split(':').at(-1)).join(', ')}`,
  );
  const mappings = topology.sqsEventSources.map(
    (s) => `${s.queueArn.split(':').at(-1)} -> ${s.functionKey} (batch ${s.batchSize})`,
  );
  const schedules = topology.schedules.map((s) => `${s.expression} -> ${s.functionKey}`);
  const { settings } = cloud;
  const limits = [
    `Throttling      ${describeLimits(settings.limits)}`,
    ...settings.faultLines.map((line, index) => `${index === 0 ? 'Faults' : ''}`.padEnd(16) + line),
    ...(settings.visibilityTimeoutScale !== 1
      ? [`SQS visibility  timeouts x ${settings.visibilityTimeoutScale} (LC_VISIBILITY_SCALE)`]
      : []),
  ];
  return [
    `\nlive-comments local cloud ready in ${(cloud.startedInMs / 1000).toFixed(1)} s${options.watch ? ' (watching for changes)' : ''}\n`,
    section('Endpoints', [
      `Web app         ${urls.web}`,
      `Console         ${human(urls.console)}   (functions, queues and DLQs, the bus, real time, metrics, logs: live)`,
      `HTTP API        ${human(urls.http)}   (token: POST ${human(urls.http)}/_local/token {"sub":"alice"})`,
      `WebSocket       ${human(urls.websocket)}`,
      `@connections    ${human(urls.connections)}/@connections/{id}`,
      edgeInUse.kind === 'external'
        ? `AWS edge        ${urls.edge}   (external, ${edgeInUse.product === 'unknown' ? 'LC_EDGE_URL' : `${edgeInUse.product} at LC_EDGE_URL`}: DynamoDB, SQS, EventBridge)`
        : `AWS edge        ${human(urls.edge)}   (embedded: DynamoDB, SQS, EventBridge; aws --endpoint-url ${human(urls.edge)})`,
    ]),
    section('HTTP routes', routes),
    section('WebSocket routes', wsRoutes),
    section(
      'Tables',
      topology.tables.map((t) => t.name + (t.ttlAttribute ? `  (TTL ${t.ttlAttribute})` : '')),
    ),
    section(
      'Queues',
      topology.queues.map(
        (q) =>
          q.name +
          (q.redrive
            ? `  (DLQ ${q.redrive.deadLetterTargetArn.split(':').at(-1)} after ${q.redrive.maxReceiveCount})`
            : ''),
      ),
    ),
    section('Rules', rules),
    section('Event source mappings', mappings),
    section('Schedules', schedules),
    section('Limits and faults', limits),
    ...(topology.warnings?.length ? [section('Not emulated', topology.warnings)] : []),
    ...(edgeInUse.kind === 'external' && edgeInUse.differences.length > 0
      ? [
          section(
            `Differences on ${edgeInUse.product === 'unknown' ? 'the external edge' : edgeInUse.product}`,
            edgeInUse.differences,
          ),
        ]
      : []),
    `\nPorts: web ${ports.web}, HTTP ${ports.http}, WebSocket ${ports.websocket}, edge ${edgeInUse.kind === 'external' ? edgeInUse.url : ports.edge}. Ctrl-C stops everything.\n\n`,
  ].join('');
};
