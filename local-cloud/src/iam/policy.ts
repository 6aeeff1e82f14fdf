/**
 * IAM policy documents compiled once into matchers: `Action` / `NotAction`
 * (case-insensitive, `*` and `?` wildcards), `Resource` / `NotResource`
 * (case-sensitive), `Principal` (resource policies) and `Condition` with the
 * string and ARN operators, `Bool`, `Null`, `...IfExists` and the
 * `ForAllValues:` / `ForAnyValue:` set qualifiers. Evaluating a request is
 * then a walk over precompiled statements, no parsing.
 */

export type Effect = 'Allow' | 'Deny';

/** The request's condition keys, lower-cased (`events:source`, `aws:principalarn`); a list for set keys. */
export type RequestContext = Record<string, string | readonly string[] | undefined>;

/** Who calls: the role session of a function (or the account admin). */
export interface CallerPrincipal {
  /** `arn:aws:iam::000000000000:role/<name>` (aws:PrincipalArn). */
  roleArn: string;
  /** `arn:aws:sts::000000000000:assumed-role/<name>/<session>`. */
  sessionArn: string;
  accountId: string;
}

type Matcher = (value: string) => boolean;

export interface CompiledStatement {
  sid?: string;
  effect: Effect;
  action: Matcher;
  resource: Matcher;
  /** Only in resource policies; identity policies apply to their own principal. */
  principal?: (caller: CallerPrincipal) => boolean;
  condition: (context: RequestContext) => boolean;
  /** The condition keys the statement tests, lower-cased (which key refused an entry, for PutEvents). */
  conditionKeys: readonly string[];
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

const toList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

const escapeRegExp = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** `*` and `?` wildcards (IAM's only ones); exact strings skip the regex. */
function wildcardMatcher(patterns: string[], ignoreCase: boolean): Matcher {
  const exact = new Set<string>();
  const regexes: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = ignoreCase ? raw.toLowerCase() : raw;
    if (pattern === '*') return () => true;
    if (/[*?]/.test(pattern)) {
      regexes.push(new RegExp(`^${escapeRegExp(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's'));
    } else exact.add(pattern);
  }
  return (value) => {
    const candidate = ignoreCase ? value.toLowerCase() : value;
    return exact.has(candidate) || regexes.some((regex) => regex.test(candidate));
  };
}

/** ArnLike / ArnEquals: each of the six colon-separated parts matched on its own (wildcards within a part). */
function arnMatcher(patterns: string[]): Matcher {
  const split = (arn: string): string[] => {
    const parts = arn.split(':');
    return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const compiled = patterns.map((pattern) => split(pattern).map((part) => wildcardMatcher([part], false)));
  return (value) => {
    const parts = split(value);
    return compiled.some(
      (matchers) =>
        matchers.length === parts.length && matchers.every((match, index) => match(parts[index] ?? '')),
    );
  };
}

const strings = (value: unknown, what: string): string[] =>
  toList(value).map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new PolicyError(`${what} must be strings, not ${JSON.stringify(item)}`);
  });

/** How one operator compares one request value with the policy's values. */
function valueMatcher(operator: string, values: string[]): { match: Matcher; negated: boolean } | undefined {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals': {
      const set = new Set(values);
      return { match: (value) => set.has(value), negated: operator === 'StringNotEquals' };
    }
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase': {
      const set = new Set(values.map((value) => value.toLowerCase()));
      return { match: (value) => set.has(value.toLowerCase()), negated: operator.startsWith('StringNot') };
    }
    case 'StringLike':
    case 'StringNotLike':
      return { match: wildcardMatcher(values, false), negated: operator === 'StringNotLike' };
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return { match: arnMatcher(values), negated: operator.startsWith('ArnNot') };
    case 'Bool': {
      const set = new Set(values.map((value) => value.toLowerCase()));
      return { match: (value) => set.has(value.toLowerCase()), negated: false };
    }
    default:
      return undefined;
  }
}

/** One `Operator: { key: values }` block: every key must hold (keys are ANDed, values ORed). */
function compileCondition(condition: unknown): (context: RequestContext) => boolean {
  if (condition === undefined) return () => true;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new PolicyError('Condition must be an object');
  }
  const tests: ((context: RequestContext) => boolean)[] = [];
  for (const [rawOperator, block] of Object.entries(condition)) {
    const qualifier = /^(ForAllValues|ForAnyValue):/.exec(rawOperator)?.[1];
    const withoutQualifier = qualifier ? rawOperator.slice(qualifier.length + 1) : rawOperator;
    const ifExists = withoutQualifier.endsWith('IfExists');
    const operator = ifExists ? withoutQualifier.slice(0, -'IfExists'.length) : withoutQualifier;
    if (typeof block !== 'object' || block === null)
      throw new PolicyError(`Condition ${rawOperator} must be an object`);
    for (const [rawKey, rawValues] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      const values = strings(rawValues, `Condition ${rawOperator} ${rawKey}`);
      if (operator === 'Null') {
        const wantsMissing = values.some((value) => value.toLowerCase() === 'true');
        tests.push((context) => {
          const value = context[key];
          const missing = value === undefined || (Array.isArray(value) && value.length === 0);
          return missing === wantsMissing;
        });
        continue;
      }
      const compiled = valueMatcher(operator, values);
      if (!compiled) throw new PolicyError(`Condition operator ${rawOperator} is not supported locally`);
      const { match, negated } = compiled;
      const holds = (value: string) => (negated ? !match(value) : match(value));
      tests.push((context) => {
        const raw = context[key];
        if (raw === undefined) {
          // A missing key: only IfExists and the negated operators hold (and ForAllValues, vacuously).
          return ifExists || negated || qualifier === 'ForAllValues';
        }
        const requestValues: readonly string[] = typeof raw === 'string' ? [raw] : raw;
        if (qualifier === 'ForAllValues') return requestValues.every(holds);
        if (qualifier === 'ForAnyValue') return requestValues.some(holds);
        // A single-valued key: the negated operators hold when no policy value matches.
        return negated ? requestValues.every(holds) : requestValues.some(holds);
      });
    }
  }
  return (context) => tests.every((test) => test(context));
}

/** `"*"`, `{ AWS: [...] }` (ARNs, account ids, `*`); service principals never match a function's role. */
function compilePrincipal(principal: unknown): (caller: CallerPrincipal) => boolean {
  if (principal === '*') return () => true;
  if (typeof principal !== 'object' || principal === null) {
    throw new PolicyError(`Principal must be "*" or an object, not ${JSON.stringify(principal)}`);
  }
  const aws = strings((principal as Record<string, unknown>).AWS, 'Principal.AWS');
  if (aws.includes('*')) return () => true;
  const names = new Set(aws);
  return (caller) =>
    names.has(caller.roleArn) ||
    names.has(caller.sessionArn) ||
    names.has(caller.accountId) ||
    names.has(`arn:aws:iam::${caller.accountId}:root`);
}

export function compileStatement(raw: unknown, options: { resourcePolicy: boolean }): CompiledStatement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyError('a policy statement must be an object');
  }
  const statement = raw as Record<string, unknown>;
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyError(`Effect must be Allow or Deny, not ${String(effect)}`);
  const negate =
    (matcher: Matcher): Matcher =>
    (value) =>
      !matcher(value);
  const action =
    statement.NotAction !== undefined
      ? negate(wildcardMatcher(strings(statement.NotAction, 'NotAction'), true))
      : wildcardMatcher(strings(statement.Action, 'Action'), true);
  const resource =
    statement.NotResource !== undefined
      ? negate(wildcardMatcher(strings(statement.NotResource, 'NotResource'), false))
      : statement.Resource === undefined && options.resourcePolicy
        ? () => true
        : wildcardMatcher(strings(statement.Resource, 'Resource'), false);
  if (statement.NotPrincipal !== undefined) throw new PolicyError('NotPrincipal is not supported locally');
  const compiled: CompiledStatement = {
    effect,
    action,
    resource,
    condition: compileCondition(statement.Condition),
    conditionKeys:
      typeof statement.Condition === 'object' && statement.Condition !== null
        ? Object.values(statement.Condition).flatMap((block) =>
            typeof block === 'object' && block !== null
              ? Object.keys(block).map((key) => key.toLowerCase())
              : [],
          )
        : [],
  };
  if (typeof statement.Sid === 'string') compiled.sid = statement.Sid;
  if (options.resourcePolicy) compiled.principal = compilePrincipal(statement.Principal);
  return compiled;
}

/** A policy's statements (a document, a statement list or one statement). */
export function compilePolicy(
  statements: unknown,
  options: { resourcePolicy: boolean },
): CompiledStatement[] {
  const list =
    typeof statements === 'object' &&
    statements !== null &&
    !Array.isArray(statements) &&
    'Statement' in statements
      ? toList((statements as { Statement: unknown }).Statement)
      : toList(statements);
  return list.map((statement) => compileStatement(statement, options));
}
