/**
 * What `npm run info` prints, the same shape for both clouds: per stack, its
 * endpoints, functions (with their log groups), tables, queues with their
 * DLQs, rules with their targets, alarm topic, dashboard and alarms. On AWS it
 * comes from CloudFormation (scripts/ops/stack-info.ts); here from the
 * topology the local cloud stood up (`GET /_local/info`).
 */
import type { Topology } from './topology/model';

export interface FunctionInfo {
  /** The function's key in serverless.yml: `createPost`. */
  name: string;
  /** As Lambda names it: `live-comments-posts-<stage>-createPost`. */
  functionName: string;
  logGroup: string;
}

export interface QueueInfo {
  name: string;
  url?: string;
  /** The queue its failed messages go to after maxReceiveCount. */
  deadLetterQueue?: string;
  /** Set on a DLQ: whose dead letters it holds (a queue, or a rule's target). */
  deadLettersOf?: string;
}

export interface RuleInfo {
  name: string;
  bus: string;
  /** Queue or function names. */
  targets: string[];
  /** Where events the rule could not deliver go. */
  deadLetterQueue?: string;
  /** `rate(1 minute)` for a schedule. */
  schedule?: string;
}

export interface StackInfo {
  /** The folder: `posts`, `events`. */
  service: string;
  /** The CloudFormation stack: `live-comments-posts-<stage>`. */
  stack: string;
  /** CloudFormation's status (AWS only). */
  status?: string;
  endpoints: { name: string; url: string }[];
  functions: FunctionInfo[];
  tables: string[];
  queues: QueueInfo[];
  buses: string[];
  rules: RuleInfo[];
  alarmTopic?: string;
  dashboardUrl?: string;
  alarms: string[];
}

export interface CloudInfo {
  cloud: 'aws' | 'local';
  stage: string;
  region: string;
  /** Endpoints of the whole cloud (the local cloud's ports). */
  endpoints: { name: string; url: string }[];
  stacks: StackInfo[];
  notes: string[];
  /** Local only: which AWS edge serves DynamoDB, SQS and EventBridge (LC_EDGE_URL for an external one). */
  edge?: { kind: 'embedded' | 'external'; url: string; product?: string; differences?: string[] };
}

/** A stack with nothing listed yet. */
export const emptyStackInfo = (service: string, stack: string): StackInfo => ({
  service,
  stack,
  endpoints: [],
  functions: [],
  tables: [],
  queues: [],
  buses: [],
  rules: [],
  alarms: [],
});

const nameOfArn = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** The local cloud's CloudInfo, from its topology. */
export const localInfo = (
  topology: Topology,
  urls: { web: string; http: string; websocket: string; connections: string; edge: string },
  edge: NonNullable<CloudInfo['edge']> = { kind: 'embedded', url: urls.edge },
): CloudInfo => {
  const services = new Map<string, string>();
  for (const fn of topology.functions) services.set(fn.stack, fn.service);
  for (const stack of [...topology.tables, ...topology.queues, ...topology.buses, ...topology.rules])
    if (!services.has(stack.stack)) services.set(stack.stack, stack.stack.replace(/^live-comments-/, ''));
  const functionsByKey = new Map(topology.functions.map((fn) => [fn.key, fn]));
  const deadLettersOf = new Map<string, string>();
  for (const queue of topology.queues)
    if (queue.redrive) deadLettersOf.set(nameOfArn(queue.redrive.deadLetterTargetArn), `queue ${queue.name}`);
  for (const rule of topology.rules)
    for (const target of rule.targets)
      if (target.deadLetterArn) deadLettersOf.set(nameOfArn(target.deadLetterArn), `rule ${rule.name}`);

  const stacks = [...services].map(([stack, service]): StackInfo => {
    const functions = topology.functions.filter((fn) => fn.stack === stack);
    const keys = new Set(functions.map((fn) => fn.key));
    const endpoints = [
      ...(topology.httpRoutes.some((route) => keys.has(route.functionKey))
        ? [{ name: 'HTTP API', url: urls.http }]
        : []),
      ...(topology.webSocketApis.some((api) => api.stack === stack)
        ? [{ name: 'WebSocket API', url: urls.websocket }]
        : []),
    ];
    return {
      service,
      stack: `${stack}-${topology.stage}`,
      endpoints,
      functions: functions.map((fn) => ({
        name: fn.name,
        functionName: fn.functionName,
        logGroup: `/aws/lambda/${fn.functionName}`,
      })),
      tables: topology.tables.filter((table) => table.stack === stack).map((table) => table.name),
      queues: topology.queues
        .filter((queue) => queue.stack === stack)
        .map((queue) => {
          const of = deadLettersOf.get(queue.name);
          return {
            name: queue.name,
            ...(queue.redrive ? { deadLetterQueue: nameOfArn(queue.redrive.deadLetterTargetArn) } : {}),
            ...(of ? { deadLettersOf: of } : {}),
          };
        }),
      buses: topology.buses.filter((bus) => bus.stack === stack).map((bus) => bus.name),
      rules: [
        ...topology.rules
          .filter((rule) => rule.stack === stack)
          .map((rule) => {
            const deadLetterArn = rule.targets.find((target) => target.deadLetterArn)?.deadLetterArn;
            return {
              name: rule.name,
              bus: rule.busName,
              targets: rule.targets.map((target) => nameOfArn(target.arn)),
              ...(deadLetterArn ? { deadLetterQueue: nameOfArn(deadLetterArn) } : {}),
            };
          }),
        ...topology.schedules
          .filter((schedule) => keys.has(schedule.functionKey))
          .map((schedule) => ({
            name: `${schedule.functionKey} schedule`,
            bus: 'default',
            targets: [functionsByKey.get(schedule.functionKey)?.functionName ?? schedule.functionKey],
            schedule: schedule.expression,
          })),
      ],
      alarms: [],
    };
  });

  return {
    cloud: 'local',
    stage: topology.stage,
    region: topology.region,
    endpoints: [
      { name: 'web app', url: urls.web },
      { name: 'HTTP API', url: urls.http },
      { name: 'WebSocket API', url: urls.websocket },
      { name: '@connections', url: `${urls.connections}/@connections/{id}` },
      {
        name:
          edge.kind === 'external'
            ? `AWS edge (external: ${edge.product ?? 'LC_EDGE_URL'}; DynamoDB, SQS, EventBridge)`
            : 'AWS edge (DynamoDB, SQS, EventBridge)',
        url: urls.edge,
      },
      { name: 'health', url: `${urls.http}/health` },
    ],
    stacks,
    notes: [
      'Alarms, their SNS topics and the dashboards are not emulated locally: `npm run info -- --stage <stage>` lists them on AWS.',
      ...(edge.differences ?? []).map((line) => `External edge: ${line}.`),
    ],
    edge,
  };
};
