/**
 * The stack's CloudFormation resources the local cloud stands up: DynamoDB
 * tables (with TTL), SQS queues (with redrive) and their policies, EventBridge
 * buses and rules with their targets. Other resource types are left out.
 */

import { busNameFromNameOrArn, type Resolver } from './intrinsics';
import type { EventBusDef, QueueDef, RuleDef, RuleTargetDef, TableDef } from './model';
import { type Dict, isRecord, numberOr, record, type StackContext, strings, toList } from './stack';

export interface QueuePolicy {
  queueUrls: string[];
  document: unknown;
}

/** One `AWS::Events::EventBusPolicy`: a statement of the bus's resource policy. */
export interface BusPolicy {
  busName: string;
  statement: unknown;
}

export interface StackResources {
  tables: TableDef[];
  queues: QueueDef[];
  queuePolicies: QueuePolicy[];
  busPolicies: BusPolicy[];
  buses: EventBusDef[];
  rules: RuleDef[];
  warnings: string[];
}

/** One resource: its logical id, its path for messages, and its resolved Properties. */
interface Resource {
  stack: string;
  logicalId: string;
  path: string;
  resolver: Resolver;
  properties: () => Dict;
}

export function resourcesOf({ stackService: stack, resources, resolver }: StackContext): StackResources {
  const out: StackResources = {
    tables: [],
    queues: [],
    queuePolicies: [],
    busPolicies: [],
    buses: [],
    rules: [],
    warnings: [],
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `resources.Resources.${logicalId}`;
    const declared: Resource = {
      stack,
      logicalId,
      path,
      resolver,
      properties: () => record(resolver.resolve(resource.Properties ?? {}, `${path}.Properties`)),
    };
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        out.tables.push(tableOf(declared));
        break;
      case 'AWS::SQS::Queue':
        out.queues.push(queueOf(declared));
        break;
      case 'AWS::SQS::QueuePolicy': {
        const props = declared.properties();
        out.queuePolicies.push({ queueUrls: strings(props.Queues), document: props.PolicyDocument });
        break;
      }
      case 'AWS::Events::EventBus':
        out.buses.push({
          stack,
          name: resolver.physicalName(logicalId, path),
          arn: resolver.getAtt(logicalId, 'Arn', path),
        });
        break;
      case 'AWS::Events::Rule':
        out.rules.push(ruleOf(declared, out.warnings));
        break;
      case 'AWS::Events::EventBusPolicy':
        out.busPolicies.push(busPolicyOf(declared));
        break;
    }
  }
  return out;
}

/**
 * The `Statement` form (one statement, its Sid the StatementId), or the legacy
 * `Action` / `Principal` (an account id or `*`) / `Condition` form, which
 * grants events:PutEvents on the bus.
 */
function busPolicyOf({ properties }: Resource): BusPolicy {
  const props = properties();
  const busName =
    props.EventBusName === undefined ? 'default' : busNameFromNameOrArn(String(props.EventBusName));
  if (isRecord(props.Statement)) {
    return { busName, statement: { Sid: props.StatementId, ...props.Statement } };
  }
  const principal = String(props.Principal ?? '*');
  return {
    busName,
    statement: {
      Sid: props.StatementId,
      Effect: 'Allow',
      Principal: principal === '*' ? '*' : { AWS: `arn:aws:iam::${principal}:root` },
      Action: props.Action ?? 'events:PutEvents',
      Resource: '*',
      ...(props.Condition !== undefined ? { Condition: props.Condition } : {}),
    },
  };
}

function tableOf({ stack, logicalId, path, resolver, properties }: Resource): TableDef {
  const props = properties();
  const ttl = record(props.TimeToLiveSpecification);
  const table: TableDef = {
    stack,
    logicalId,
    name: resolver.physicalName(logicalId, path),
    arn: resolver.getAtt(logicalId, 'Arn', path),
    properties: { ...props, TableName: resolver.physicalName(logicalId, path) },
  };
  if (ttl.Enabled === true || ttl.Enabled === 'true') table.ttlAttribute = String(ttl.AttributeName);
  return table;
}

function queueOf({ stack, logicalId, path, resolver, properties }: Resource): QueueDef {
  const props = properties();
  const name = resolver.physicalName(logicalId, path);
  const redrive =
    typeof props.RedrivePolicy === 'string' ? JSON.parse(props.RedrivePolicy) : props.RedrivePolicy;
  const queue: QueueDef = {
    stack,
    logicalId,
    name,
    arn: resolver.getAtt(logicalId, 'Arn', path),
    fifo: props.FifoQueue === true || props.FifoQueue === 'true' || name.endsWith('.fifo'),
    visibilityTimeoutSeconds: numberOr(props.VisibilityTimeout, 30),
    messageRetentionSeconds: numberOr(props.MessageRetentionPeriod, 345_600),
    delaySeconds: numberOr(props.DelaySeconds, 0),
    receiveWaitTimeSeconds: numberOr(props.ReceiveMessageWaitTimeSeconds, 0),
    policies: [],
  };
  if (isRecord(redrive)) {
    queue.redrive = {
      deadLetterTargetArn: String(redrive.deadLetterTargetArn),
      maxReceiveCount: numberOr(redrive.maxReceiveCount, 1),
    };
  }
  return queue;
}

function ruleOf({ stack, logicalId, path, resolver, properties }: Resource, warnings: string[]): RuleDef {
  const props = properties();
  const pattern =
    typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern;
  if (props.ScheduleExpression !== undefined) {
    warnings.push(`${stack}: rule ${logicalId} has a ScheduleExpression; only function schedules run`);
  }
  const rule: RuleDef = {
    stack,
    logicalId,
    name: resolver.physicalName(logicalId, path),
    arn: resolver.getAtt(logicalId, 'Arn', path),
    busName: props.EventBusName === undefined ? 'default' : busNameFromNameOrArn(String(props.EventBusName)),
    eventPattern: pattern,
    state: props.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targets: toList(props.Targets).map((value) => targetOf(record(value))),
  };
  if (typeof props.Description === 'string') rule.description = props.Description;
  return rule;
}

function targetOf(target: Dict): RuleTargetDef {
  const def: RuleTargetDef = { id: String(target.Id), arn: String(target.Arn) };
  const retry = record(target.RetryPolicy);
  if (target.RetryPolicy !== undefined) {
    def.retryPolicy = {};
    if (retry.MaximumRetryAttempts !== undefined)
      def.retryPolicy.maximumRetryAttempts = Number(retry.MaximumRetryAttempts);
    if (retry.MaximumEventAgeInSeconds !== undefined) {
      def.retryPolicy.maximumEventAgeInSeconds = Number(retry.MaximumEventAgeInSeconds);
    }
  }
  const deadLetter = record(target.DeadLetterConfig);
  if (typeof deadLetter.Arn === 'string') def.deadLetterArn = deadLetter.Arn;
  if (typeof target.InputPath === 'string') def.inputPath = target.InputPath;
  if (typeof target.Input === 'string') def.input = target.Input;
  return def;
}
