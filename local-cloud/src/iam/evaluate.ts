/**
 * IAM's evaluation logic for a principal and a resource of the same account:
 * an explicit Deny in the identity policies or the resource policy wins; else
 * an Allow in either suffices; else the request is implicitly denied. The
 * answer carries the words AWS's AccessDenied messages use for each case.
 */

import type { CallerPrincipal, CompiledStatement, RequestContext } from './policy';

/** One authorization question: an IAM action on one resource, with its condition keys. */
export interface AuthorizationRequest {
  /** `dynamodb:PutItem` */
  action: string;
  /** `arn:aws:dynamodb:us-east-1:000000000000:table/local-posts` */
  resource: string;
  /** Service-specific keys (`events:source`...), lower-cased; aws:PrincipalArn is added. */
  context?: RequestContext;
}

export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      reason: 'no-allow' | 'identity-deny' | 'resource-deny';
      /**
       * The condition keys that decided: the denying statement's, or those of the Allow
       * statements that held but for their conditions. Empty: refused whatever the request says.
       */
      conditionKeys: readonly string[];
    };

const scoped = (statement: CompiledStatement, request: AuthorizationRequest, caller: CallerPrincipal) =>
  statement.action(request.action) &&
  statement.resource(request.resource) &&
  (statement.principal === undefined || statement.principal(caller));

export function evaluate(
  caller: CallerPrincipal,
  identity: readonly CompiledStatement[],
  resourcePolicy: readonly CompiledStatement[],
  request: AuthorizationRequest,
): Decision {
  const context: RequestContext = {
    ...request.context,
    'aws:principalarn': caller.roleArn,
    'aws:principalaccount': caller.accountId,
    'aws:principaltype': 'AssumedRole',
  };
  let allowed = false;
  const unmetKeys: string[] = [];
  for (const [statements, denied] of [
    [identity, 'identity-deny'],
    [resourcePolicy, 'resource-deny'],
  ] as const) {
    for (const statement of statements) {
      if (!scoped(statement, request, caller)) continue;
      if (!statement.condition(context)) {
        if (statement.effect === 'Allow') unmetKeys.push(...statement.conditionKeys);
        continue;
      }
      if (statement.effect === 'Deny') {
        return { allowed: false, reason: denied, conditionKeys: statement.conditionKeys };
      }
      allowed = true;
    }
  }
  return allowed ? { allowed: true } : { allowed: false, reason: 'no-allow', conditionKeys: unmetKeys };
}

/**
 * AWS's message for a refusal: `User: <session ARN> is not authorized to
 * perform: <action> on resource: <resource> because no identity-based policy
 * allows the <action> action` (or `with an explicit deny in an
 * identity-based / a resource-based policy`). SQS writes the action in lower
 * case (`sqs:sendmessage`).
 */
export function deniedMessage(
  caller: CallerPrincipal,
  request: AuthorizationRequest,
  reason: 'no-allow' | 'identity-deny' | 'resource-deny',
  options: { lowerCaseAction?: boolean; withReason?: boolean } = {},
): string {
  const action = options.lowerCaseAction ? request.action.toLowerCase() : request.action;
  const base = `User: ${caller.sessionArn} is not authorized to perform: ${action} on resource: ${request.resource}`;
  if (options.withReason === false) return base;
  switch (reason) {
    case 'identity-deny':
      return `${base} with an explicit deny in an identity-based policy`;
    case 'resource-deny':
      return `${base} with an explicit deny in a resource-based policy`;
    default:
      return `${base} because no identity-based policy allows the ${action} action`;
  }
}
