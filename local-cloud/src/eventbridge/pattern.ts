/**
 * EventBridge event patterns: validation (with AWS's error messages) and matching.
 *
 * Both the pattern and the event are flattened to dotted paths, which is how
 * EventBridge treats them (`{"a":{"b":[1]}}` and `{"a.b":[1]}` are the same
 * pattern; an event key `"a.b"` is reached by the path `a` -> `b`). Arrays in
 * the event contribute every element as a value of the same path, and a field
 * matches when any of its values matches any of the field's matchers.
 *
 * Known gap: AWS's ruler keeps "array consistency" (two fields under one array
 * must come from the same element); this matcher does not.
 */

import { isIPv4, isIPv6 } from 'node:net';

export class InvalidEventPatternError extends Error {
  readonly code = 'InvalidEventPatternException';
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

type Leaf = string | number | boolean | null;

type FieldMatcher = { kind: 'exists'; exists: boolean } | { kind: 'value'; test: (value: Leaf) => boolean };

interface FieldRule {
  path: string;
  matchers: FieldMatcher[];
}

/** All fields must match, and each `$or` group must have one branch that matches. */
interface Conjunction {
  fields: FieldRule[];
  anyOf: Conjunction[][];
}

export interface CompiledPattern {
  readonly source: unknown;
  matches(event: unknown): boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (reason: string): never => {
  throw new InvalidEventPatternError(reason);
};

/** Parses a pattern given as JSON text (as in PutRule/TestEventPattern), rejecting bad JSON like AWS. */
export function parseEventPattern(text: string): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(error instanceof Error ? error.message : 'Invalid JSON');
  }
  return compileEventPattern(parsed);
}

export function compileEventPattern(pattern: unknown): CompiledPattern {
  if (!isPlainObject(pattern)) return fail('Filter is not an object');
  const root = compileObject(pattern, '');
  return {
    source: pattern,
    matches: (event) => matchConjunction(root, flattenEvent(event)),
  };
}

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

function compileObject(pattern: Record<string, unknown>, prefix: string): Conjunction {
  const conjunction: Conjunction = { fields: [], anyOf: [] };
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        fail('Value of $or must be an array of at least two objects');
      }
      const branches = (value as Record<string, unknown>[]).map((branch) => compileObject(branch, prefix));
      conjunction.anyOf.push(branches);
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) fail('Empty arrays are not allowed');
      conjunction.fields.push({ path, matchers: value.map(compileMatcher) });
    } else if (isPlainObject(value)) {
      const nested = compileObject(value, path);
      conjunction.fields.push(...nested.fields);
      conjunction.anyOf.push(...nested.anyOf);
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return conjunction;
}

const equalLeaf = (expected: Leaf) => (value: Leaf) => value === expected;

function compileMatcher(element: unknown): FieldMatcher {
  if (
    element === null ||
    typeof element === 'string' ||
    typeof element === 'number' ||
    typeof element === 'boolean'
  ) {
    return { kind: 'value', test: equalLeaf(element) };
  }
  if (!isPlainObject(element)) return fail('Match value must be String, number, true, false, or null');
  const entries = Object.entries(element);
  const [first] = entries;
  if (!first || entries.length !== 1) return fail('Match expression must have exactly one key');
  const [operator, operand] = first;
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', exists: operand as boolean };
    case 'prefix':
      return { kind: 'value', test: compileAffix(operand, 'prefix') };
    case 'suffix':
      return { kind: 'value', test: compileAffix(operand, 'suffix') };
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      const lower = (operand as string).toLowerCase();
      return { kind: 'value', test: (value) => typeof value === 'string' && value.toLowerCase() === lower };
    }
    case 'wildcard': {
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
      const regex = compileWildcard(operand as string);
      return { kind: 'value', test: (value) => typeof value === 'string' && regex.test(value) };
    }
    case 'numeric':
      return { kind: 'value', test: compileNumeric(operand) };
    case 'cidr':
      return { kind: 'value', test: compileCidr(operand) };
    case 'anything-but':
      return { kind: 'value', test: compileAnythingBut(operand) };
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

function compileAffix(operand: unknown, kind: 'prefix' | 'suffix'): (value: Leaf) => boolean {
  const has = (value: string, affix: string) =>
    kind === 'prefix' ? value.startsWith(affix) : value.endsWith(affix);
  if (typeof operand === 'string') {
    return (value) => typeof value === 'string' && has(value, operand);
  }
  if (isPlainObject(operand)) {
    const inner = operand['equals-ignore-case'];
    if (Object.keys(operand).length === 1 && typeof inner === 'string') {
      const lower = inner.toLowerCase();
      return (value) => typeof value === 'string' && has(value.toLowerCase(), lower);
    }
  }
  return fail(`${kind} match pattern must be a string`);
}

/** `*` matches any run of characters; `\*` and `\\` escape. */
function compileWildcard(pattern: string): RegExp {
  let source = '';
  let wildcards = 0;
  let previousWasWildcard = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === '\\' && index + 1 < pattern.length) {
      const next = pattern[index + 1] as string;
      if (next === '*' || next === '\\') {
        source += escapeRegex(next);
        index++;
        previousWasWildcard = false;
        continue;
      }
    }
    if (char === '*') {
      if (previousWasWildcard) fail(`Consecutive wildcard characters at pos ${index}`);
      source += '.*';
      wildcards++;
      previousWasWildcard = true;
      continue;
    }
    source += escapeRegex(char);
    previousWasWildcard = false;
  }
  // AWS measures the ruler's state machine; many wildcards is the practical trigger (documented approximation).
  if (wildcards > 5) {
    fail(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  return new RegExp(`^${source}$`, 's');
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

function compileNumeric(operand: unknown): (value: Leaf) => boolean {
  if (!Array.isArray(operand)) return fail('Value of numeric must be an array.');
  const checks: ((n: number) => boolean)[] = [];
  let lower = false;
  let upper = false;
  let equal = false;
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      return fail(`Unrecognized numeric range operator: ${String(operator)}`);
    }
    const bound = operand[index + 1];
    if (typeof bound !== 'number') return fail(`Value of ${operator} must be numeric`);
    const isLower = operator === '>' || operator === '>=';
    const isUpper = operator === '<' || operator === '<=';
    if ((isLower && lower) || (isUpper && upper) || equal || (operator === '=' && (lower || upper))) {
      fail(`Bad numeric range operator: ${operator}`);
    }
    lower ||= isLower;
    upper ||= isUpper;
    equal ||= operator === '=';
    checks.push(
      operator === '<'
        ? (n) => n < bound
        : operator === '<='
          ? (n) => n <= bound
          : operator === '='
            ? (n) => n === bound
            : operator === '>'
              ? (n) => n > bound
              : (n) => n >= bound,
    );
  }
  if (checks.length === 0) fail('Empty arrays are not allowed');
  return (value) => typeof value === 'number' && checks.every((check) => check(value));
}

function compileAnythingBut(operand: unknown): (value: Leaf) => boolean {
  if (typeof operand === 'string' || typeof operand === 'number') {
    return (value) => value !== operand;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) fail('Empty arrays are not allowed');
    if (!operand.every((item) => typeof item === 'string' || typeof item === 'number')) {
      fail('Inside anything but list, start|null|boolean is not supported.');
    }
    const excluded = operand as (string | number)[];
    return (value) => !excluded.some((item) => item === value);
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [[operator, inner]] = Object.entries(operand) as [[string, unknown]];
    const list = Array.isArray(inner) ? inner : [inner];
    switch (operator) {
      case 'prefix':
      case 'suffix': {
        if (isPlainObject(inner)) break;
        if (!list.every((item): item is string => typeof item === 'string')) {
          fail('prefix/suffix match pattern must be a string');
        }
        const affixes = list as string[];
        if (affixes.some((affix) => affix === '')) fail('Null prefix/suffix not allowed');
        const has = (text: string, affix: string) =>
          operator === 'prefix' ? text.startsWith(affix) : text.endsWith(affix);
        return (value) => !(typeof value === 'string' && affixes.some((affix) => has(value, affix)));
      }
      case 'wildcard': {
        if (!list.every((item): item is string => typeof item === 'string')) {
          fail('wildcard match pattern must be a string');
        }
        const regexes = (list as string[]).map(compileWildcard);
        return (value) => !(typeof value === 'string' && regexes.some((regex) => regex.test(value)));
      }
      case 'equals-ignore-case': {
        if (!list.every((item): item is string => typeof item === 'string')) {
          fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
        }
        const lowered = (list as string[]).map((item) => item.toLowerCase());
        return (value) => !(typeof value === 'string' && lowered.includes(value.toLowerCase()));
      }
    }
  }
  return fail('Value of anything-but must be an array or single string/number value.');
}

function compileCidr(operand: unknown): (value: Leaf) => boolean {
  if (typeof operand !== 'string') return fail('prefix match pattern must be a string');
  const parts = operand.split('/');
  if (parts.length !== 2) return fail("Malformed CIDR, one '/' required");
  const [address = '', maskText = ''] = parts;
  if (!/^\d+$/.test(maskText)) return fail('Malformed CIDR, mask bits must be an integer');
  const network = parseIp(address);
  if (!network) return fail(`Nonstandard IP address: ${address}`);
  const mask = Number(maskText);
  if (mask > network.bits) return fail('Malformed CIDR, mask bits must be an integer');
  const shift = BigInt(network.bits - mask);
  const networkPrefix = network.value >> shift;
  return (value) => {
    if (typeof value !== 'string') return false;
    const ip = parseIp(value);
    return ip !== undefined && ip.bits === network.bits && ip.value >> shift === networkPrefix;
  };
}

function parseIp(text: string): { value: bigint; bits: 32 | 128 } | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((total, octet) => (total << 8n) + BigInt(Number(octet)), 0n);
    return { value, bits: 32 };
  }
  if (isIPv6(text) && !text.includes('.')) {
    const [head = '', tail] = text.split('::');
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const missing = 8 - headGroups.length - tailGroups.length;
    const groups = [
      ...headGroups,
      ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
      ...tailGroups,
    ];
    const value = groups.reduce((total, group) => (total << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
    return { value, bits: 128 };
  }
  return undefined;
}

function matchConjunction(conjunction: Conjunction, event: Map<string, Leaf[]>): boolean {
  return (
    conjunction.fields.every((field) => matchField(field, event.get(field.path) ?? [])) &&
    conjunction.anyOf.every((branches) => branches.some((branch) => matchConjunction(branch, event)))
  );
}

function matchField(field: FieldRule, values: Leaf[]): boolean {
  return field.matchers.some((matcher) =>
    matcher.kind === 'exists' ? matcher.exists === values.length > 0 : values.some(matcher.test),
  );
}

/** Leaf values by dotted path; `exists` only sees leaves, so objects and empty arrays add nothing. */
function flattenEvent(event: unknown): Map<string, Leaf[]> {
  const flat = new Map<string, Leaf[]>();
  const visit = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path);
    } else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key);
    } else if (path) {
      const leaf = value as Leaf;
      const existing = flat.get(path);
      if (existing) existing.push(leaf);
      else flat.set(path, [leaf]);
    }
  };
  visit(event, '');
  return flat;
}
