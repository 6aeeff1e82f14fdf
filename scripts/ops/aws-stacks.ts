/**
 * What is deployed on AWS, read from CloudFormation (the stacks' outputs,
 * resources and processed templates): `npm run info -- --stage <stage>` and
 * the log groups `npm run logs` reads. Needs cloudformation:DescribeStacks,
 * ListStackResources and GetTemplate on the stacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  GetTemplateCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  type CloudInfo,
  emptyStackInfo,
  type QueueInfo,
  type RuleInfo,
  type StackInfo,
} from '../../local-cloud/src/info';
import type { Stack } from '../stacks';

export class OpsError extends Error {
  override name = 'OpsError';
}

/** The serverless `service:` of a stack's serverless.yml: `live-comments-posts`. */
export const serviceNameOf = (stack: Stack): string => {
  const match = /^service:\s*["']?([\w-]+)/m.exec(readFileSync(join(stack.dir, 'serverless.yml'), 'utf8'));
  if (!match?.[1]) throw new OpsError(`${stack.dir}/serverless.yml has no service: name`);
  return match[1];
};

/** The CloudFormation stack serverless deploys a service to: `<service>-<stage>`. */
export const stackNameOf = (stack: Stack, stage: string) => `${serviceNameOf(stack)}-${stage}`;

const isMissingStack = (error: unknown) =>
  (error as { name?: string }).name === 'ValidationError' &&
  /does not exist/.test(String((error as Error).message));

const lastOf = (value: string, separator: string) => value.slice(value.lastIndexOf(separator) + 1);

type Template = { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };

/** The stack's resources, by logical id. */
export const stackResources = async (
  cfn: CloudFormationClient,
  stackName: string,
): Promise<StackResourceSummary[]> => {
  const resources: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName }))
    resources.push(...(page.StackResourceSummaries ?? []));
  return resources;
};

/** A function's name in serverless.yml from its physical name `<service>-<stage>-<name>`. */
const functionKeyOf = (physical: string, prefix: string, logicalId: string) =>
  physical.startsWith(prefix)
    ? physical.slice(prefix.length)
    : `${logicalId.charAt(0).toLowerCase()}${logicalId.slice(1).replace(/LambdaFunction$/, '')}`;

/** The functions of a deployed stack: name in serverless.yml, physical name, log group. */
export const stackFunctions = (resources: StackResourceSummary[], stackName: string) =>
  resources
    .filter((resource) => resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId)
    .map((resource) => {
      const functionName = resource.PhysicalResourceId as string;
      return {
        name: functionKeyOf(functionName, `${stackName}-`, resource.LogicalResourceId ?? ''),
        functionName,
        logGroup: `/aws/lambda/${functionName}`,
      };
    });

/** One stack on AWS as `npm run info` shows it. */
export const awsStackInfo = async (
  cfn: CloudFormationClient,
  service: string,
  stackName: string,
): Promise<StackInfo> => {
  const empty = emptyStackInfo(service, stackName);
  let described: DescribeStacksCommandOutput;
  try {
    described = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if (isMissingStack(error)) return { ...empty, status: 'NOT DEPLOYED' };
    throw error;
  }
  const stack = described.Stacks?.[0];
  const outputs = new Map(
    (stack?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
  );
  const [resources, templateBody] = await Promise.all([
    stackResources(cfn, stackName),
    cfn
      .send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }))
      .then((answer) => answer.TemplateBody ?? '{}'),
  ]);
  let template: Template = {};
  try {
    template = JSON.parse(templateBody) as Template;
  } catch {
    // A YAML template (not serverless's): DLQ pairs and rule targets are not shown.
  }
  const physical = new Map(resources.map((resource) => [resource.LogicalResourceId ?? '', resource]));
  const ofType = (type: string) => resources.filter((resource) => resource.ResourceType === type);

  /** The name a Ref, a GetAtt or an ARN in the template points at (a queue's name, not its URL). */
  const nameOf = (value: unknown): string | undefined => {
    if (typeof value === 'string') return lastOf(value, ':');
    const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
    const resource = logicalId ? physical.get(logicalId) : undefined;
    if (!resource?.PhysicalResourceId) return undefined;
    const id = resource.PhysicalResourceId;
    if (resource.ResourceType === 'AWS::SQS::Queue') return lastOf(id, '/');
    return id.includes(':') ? lastOf(id, ':') : id;
  };

  const deadLettersOf = new Map<string, string>();
  const queueDlq = new Map<string, string>();
  const rules: RuleInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const properties = resource.Properties ?? {};
    const own = physical.get(logicalId)?.PhysicalResourceId;
    if (resource.Type === 'AWS::SQS::Queue' && own) {
      const dlq = nameOf(
        (properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
      );
      if (dlq) {
        queueDlq.set(lastOf(own, '/'), dlq);
        deadLettersOf.set(dlq, `queue ${lastOf(own, '/')}`);
      }
    }
    if (resource.Type === 'AWS::Events::Rule' && own) {
      const [bus, name] = own.includes('|') ? own.split('|') : ['default', own];
      const targets = (properties.Targets as { Arn?: unknown; DeadLetterConfig?: { Arn?: unknown } }[]) ?? [];
      const dlq = targets.map((target) => nameOf(target.DeadLetterConfig?.Arn)).find(Boolean);
      if (dlq) deadLettersOf.set(dlq, `rule ${name}`);
      rules.push({
        name: name ?? own,
        bus: bus ?? 'default',
        targets: targets.map((target) => nameOf(target.Arn) ?? '?'),
        ...(dlq ? { deadLetterQueue: dlq } : {}),
        ...(typeof properties.ScheduleExpression === 'string'
          ? { schedule: properties.ScheduleExpression }
          : {}),
      });
    }
  }

  const queues: QueueInfo[] = ofType('AWS::SQS::Queue').map((resource) => {
    const url = resource.PhysicalResourceId ?? '';
    const name = lastOf(url, '/');
    const dlq = queueDlq.get(name);
    const of = deadLettersOf.get(name);
    return { name, url, ...(dlq ? { deadLetterQueue: dlq } : {}), ...(of ? { deadLettersOf: of } : {}) };
  });

  const endpoints = [...outputs]
    .filter(
      ([key]) => /(Url|Endpoint\w*)$/.test(key) && key !== 'DashboardUrl' && !/Dlq|DeadLetter/.test(key),
    )
    .filter(([, url], index, all) => all.findIndex(([, other]) => other === url) === index)
    .map(([name, url]) => ({ name, url }));

  const alarmTopic = outputs.get('AlarmTopicArn');
  const dashboardUrl = outputs.get('DashboardUrl');
  return {
    ...empty,
    ...(stack?.StackStatus ? { status: stack.StackStatus } : {}),
    endpoints,
    functions: stackFunctions(resources, stackName),
    tables: ofType('AWS::DynamoDB::Table').map((resource) => resource.PhysicalResourceId ?? ''),
    queues,
    buses: ofType('AWS::Events::EventBus').map((resource) => resource.PhysicalResourceId ?? ''),
    rules,
    ...(alarmTopic ? { alarmTopic } : {}),
    ...(dashboardUrl ? { dashboardUrl } : {}),
    alarms: ofType('AWS::CloudWatch::Alarm').map((resource) => resource.PhysicalResourceId ?? ''),
  };
};

/** Every stack of the system on AWS at a stage, in compose order. */
export const awsInfo = async (
  cfn: CloudFormationClient,
  stage: string,
  stacks: Stack[],
  region: string,
): Promise<CloudInfo> => ({
  cloud: 'aws',
  stage,
  region,
  endpoints: [],
  stacks: await Promise.all(stacks.map((stack) => awsStackInfo(cfn, stack.name, stackNameOf(stack, stage)))),
  notes: [],
});
