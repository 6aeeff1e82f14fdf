/**
 * The functions' execution roles, as `serverless package` writes them into
 * the template: serverless' default role `IamRoleLambdaExecution` (logs, the
 * provider's `iam.role.statements`, X-Ray when tracing, execute-api
 * ManageConnections on any API when the stack has a WebSocket API, and the
 * queues of the stack's SQS events) unless every function names a role of its own; a
 * function's `role` (a logical id, `Fn::GetAtt <id>.Arn` or an ARN) or the
 * provider's `iam.role` as a reference; the inline `Policies` of each
 * `AWS::IAM::Role`, plus the `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy`
 * resources that name the role in `Roles`. Mirrors osls'
 * merge-iam-templates.js, compile/functions.js (compileRole),
 * compile/events/websockets and compile/events/sqs.js; checked against the packaged templates in
 * topology.integration.test.ts.
 */

import type { FunctionDef, RoleDef, SqsEventSourceDef } from './model';
import { type Dict, isRecord, record, type StackContext, strings, toList } from './stack';

export const DEFAULT_ROLE_LOGICAL_ID = 'IamRoleLambdaExecution';

/** What a function's `role` (or the provider's) names: a role of the stack by logical id, or an ARN. */
type RoleReference = { logicalId: string } | { arn: string };

function referenceOf(value: unknown, context: StackContext, path: string): RoleReference | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.startsWith('arn:') ? { arn: value } : { logicalId: value };
  if (isRecord(value) && 'Fn::GetAtt' in value) {
    const args = value['Fn::GetAtt'];
    const logicalId = Array.isArray(args) ? String(args[0]) : String(args).split('.')[0];
    return { logicalId: logicalId ?? '' };
  }
  // Fn::Sub, Fn::Join, Fn::ImportValue...: whatever ARN it resolves to.
  const resolved = context.resolver.resolve(value, path);
  if (typeof resolved === 'string') return { arn: resolved };
  throw new Error(`${context.stackService}: ${path} does not name a role`);
}

/** A provider-level `iam.role` that names a role (a string or an intrinsic), not serverless' statements. */
function providerRoleReference(context: StackContext): unknown {
  const role = record(context.provider.iam).role;
  const isIntrinsic = (value: Dict) =>
    Object.keys(value).length === 1 &&
    Object.keys(value).every((key) => key === 'Ref' || key.startsWith('Fn::'));
  if (typeof role === 'string' || (isRecord(role) && isIntrinsic(role))) return role;
  return context.provider.role;
}

export function rolesOf(
  context: StackContext,
  functions: FunctionDef[],
  sqsEventSources: SqsEventSourceDef[],
): RoleDef[] {
  const { stackService, stage, provider, functionsConfig, resources, resolver } = context;
  const accountId = context.resolver.ref('AWS::AccountId', 'provider');
  const region = context.resolver.ref('AWS::Region', 'provider');
  const roles = new Map<string, RoleDef>();
  const providerReference = providerRoleReference(context);

  const roleResource = (logicalId: string, path: string): RoleDef => {
    const known = roles.get(logicalId);
    if (known) return known;
    const resource = resources[logicalId];
    if (resource?.Type !== 'AWS::IAM::Role') {
      throw new Error(`${stackService}: ${path}: ${logicalId} is not an AWS::IAM::Role of the stack`);
    }
    const at = `resources.Resources.${logicalId}.Properties`;
    const props = resource.Properties ?? {};
    const statements = toList(resolver.resolve(props.Policies ?? [], `${at}.Policies`)).flatMap((policy) =>
      toList(record(record(policy).PolicyDocument).Statement),
    );
    const role: RoleDef = {
      stack: stackService,
      logicalId,
      name: resolver.physicalName(logicalId, path),
      arn: resolver.getAtt(logicalId, 'Arn', path),
      statements,
      managedPolicyArns: strings(resolver.resolve(props.ManagedPolicyArns ?? [], `${at}.ManagedPolicyArns`)),
    };
    roles.set(logicalId, role);
    return role;
  };

  const defaultRole = (): RoleDef => {
    const known = roles.get(DEFAULT_ROLE_LOGICAL_ID);
    if (known) return known;
    const iamRole = record(record(provider.iam).role);
    const name =
      typeof iamRole.name === 'string' ? iamRole.name : `${stackService}-${stage}-${region}-lambdaRole`;
    const rolePath = typeof iamRole.path === 'string' ? iamRole.path : '/';
    const logGroups = `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${stackService}-${stage}*`;
    const statements: unknown[] = [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
        Resource: [`${logGroups}:*`],
      },
      { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [`${logGroups}:*:*`] },
      ...toList(
        resolver.resolve(
          iamRole.statements ?? provider.iamRoleStatements ?? [],
          'provider.iam.role.statements',
        ),
      ),
    ];
    const tracing = record(provider.tracing).lambda;
    const traced =
      Boolean(tracing) ||
      Object.values(functionsConfig).some(
        (fn) => Boolean(record(fn).tracing) && record(fn).tracing !== 'PassThrough',
      );
    if (traced) {
      statements.push({
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: ['*'],
      });
    }
    // compile/events/websockets: any function of a stack with a WebSocket API may manage its connections.
    if (context.webSocketApiId) {
      statements.push({
        Effect: 'Allow',
        Action: ['execute-api:ManageConnections'],
        Resource: ['arn:aws:execute-api:*:*:*/@connections/*'],
      });
    }
    if (sqsEventSources.length > 0) {
      statements.push({
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Resource: sqsEventSources.map((source) => source.queueArn),
      });
    }
    const role: RoleDef = {
      stack: stackService,
      logicalId: DEFAULT_ROLE_LOGICAL_ID,
      name,
      arn: `arn:aws:iam::${accountId}:role${rolePath}${name}`,
      statements,
      managedPolicyArns: strings(
        resolver.resolve(
          iamRole.managedPolicies ?? provider.iamManagedPolicies ?? [],
          'provider.iam.role.managedPolicies',
        ),
      ),
    };
    roles.set(DEFAULT_ROLE_LOGICAL_ID, role);
    return role;
  };

  for (const fn of functions) {
    const path = `functions.${fn.name}.role`;
    const declared = record(functionsConfig[fn.name]).role ?? providerReference;
    const reference = referenceOf(declared, context, path);
    if (!reference || ('logicalId' in reference && reference.logicalId === DEFAULT_ROLE_LOGICAL_ID)) {
      fn.roleArn = defaultRole().arn;
    } else if ('logicalId' in reference) {
      fn.roleArn = roleResource(reference.logicalId, path).arn;
    } else {
      // A role outside the stack (or one of the stack's, named by its ARN).
      fn.roleArn = reference.arn;
    }
  }

  // Policies attached to the stack's roles by resources of their own.
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const at = `resources.Resources.${logicalId}.Properties`;
    const props = resource.Properties ?? {};
    const roleNames = new Set(strings(resolver.resolve(props.Roles ?? [], `${at}.Roles`)));
    if (roleNames.size === 0) continue;
    const statements = toList(
      record(resolver.resolve(props.PolicyDocument, `${at}.PolicyDocument`)).Statement,
    );
    // A Ref to a role is its name: the role may not be any function's (yet); resolve each of the stack's.
    for (const [roleId, candidate] of Object.entries(resources)) {
      if (candidate.Type !== 'AWS::IAM::Role') continue;
      const name = resolver.physicalName(roleId, at);
      if (roleNames.has(name)) roleResource(roleId, at).statements.push(...statements);
    }
  }
  return [...roles.values()];
}
