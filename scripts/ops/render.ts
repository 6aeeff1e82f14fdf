import type { CloudInfo, StackInfo } from '../../local-cloud/src/info';
import { alarmTemplate, headingAnchor, RUNBOOK_PATH } from './runbook';

const indent = (lines: string[], by = '    ') => lines.map((line) => `${by}${line}`);

const section = (title: string, lines: string[]) =>
  lines.length === 0 ? [] : [`  ${title}`, ...indent(lines)];

const pad = (text: string, width: number) => (text.length >= width ? `${text}  ` : text.padEnd(width));

const stackLines = (stack: StackInfo, stage: string): string[] => {
  const head = `${stack.service}  (${stack.stack}${stack.status ? `, ${stack.status}` : ''})`;
  if (stack.status === 'NOT DEPLOYED') return [head];
  const width = Math.max(12, ...stack.functions.map((fn) => fn.name.length + 2));
  return [
    head,
    ...section(
      'endpoints',
      stack.endpoints.map((endpoint) => `${pad(endpoint.name, 22)}${endpoint.url}`),
    ),
    ...(stack.dashboardUrl ? [`  dashboard      ${stack.dashboardUrl}`] : []),
    ...(stack.alarmTopic ? [`  alarm topic    ${stack.alarmTopic}`] : []),
    ...section(
      'functions (npm run logs -- <service> <function>)',
      stack.functions.map((fn) => `${pad(fn.name, width)}${fn.logGroup}`),
    ),
    ...section('tables', stack.tables),
    ...section(
      'queues',
      stack.queues.map(
        (queue) =>
          queue.name +
          (queue.deadLetterQueue ? `   DLQ ${queue.deadLetterQueue}` : '') +
          (queue.deadLettersOf ? `   (dead letters of ${queue.deadLettersOf}; npm run dlq)` : ''),
      ),
    ),
    ...section('buses', stack.buses),
    ...section(
      'rules',
      stack.rules.map(
        (rule) =>
          `${rule.name} on ${rule.bus}${rule.schedule ? ` ${rule.schedule}` : ''} -> ${rule.targets.join(', ')}` +
          (rule.deadLetterQueue ? `   DLQ ${rule.deadLetterQueue}` : ''),
      ),
    ),
    ...section(
      `alarms (runbook: ${RUNBOOK_PATH})`,
      stack.alarms.map((alarm) => `${alarm}   #${headingAnchor(`\`${alarmTemplate(alarm, stage)}\``)}`),
    ),
  ];
};

/** `npm run info` as text: the cloud's endpoints, then each stack. */
export const renderInfo = (info: CloudInfo): string =>
  [
    `live-comments ${info.cloud === 'local' ? 'on the local cloud' : 'on AWS'}, stage ${info.stage} (${info.region})`,
    ...(info.endpoints.length > 0
      ? [
          '',
          'endpoints',
          ...indent(
            info.endpoints.map((endpoint) => `${pad(endpoint.name, 40)}${endpoint.url}`),
            '  ',
          ),
        ]
      : []),
    ...info.stacks.flatMap((stack) => ['', ...stackLines(stack, info.stage)]),
    ...(info.notes.length > 0 ? ['', ...info.notes] : []),
    '',
  ].join('\n');
