/**
 * One stack as the topology is built from it: its serverless.yml sections as
 * osls resolved them, its names (AWS's, and the local API ids), its functions'
 * events, and the resolver of its CloudFormation intrinsics.
 */

import { createResolver, type Resolver, type StackResource } from './intrinsics';
import type { ResolvedStack } from './resolve-stacks';

export type Dict = Record<string, unknown>;

export function isRecord(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Dict {
  return isRecord(value) ? value : {};
}

export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function strings(value: unknown): string[] {
  return toList(value).map(String);
}

export function numberOr(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

/** serverless' logical id of a function: `create-post` -> `CreateDashpostLambdaFunction`. */
export function lambdaLogicalId(functionName: string): string {
  const normalized = functionName.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** One event of one function as declared (`{ httpApi: ... }`, `{ sqs: ... }`, ...). */
export interface DeclaredEvent {
  /** The function's name in serverless.yml. */
  name: string;
  event: Dict;
}

export interface StackContext {
  stack: ResolvedStack;
  /** The serverless `service:` name, e.g. `live-comments-posts`. */
  stackService: string;
  stage: string;
  provider: Dict;
  functionsConfig: Dict;
  resources: Record<string, StackResource>;
  /** `resources.extensions`: properties added to the resources the framework creates (its API stages). */
  extensions: Dict;
  /** Lambda logical id -> the function's name in AWS. */
  functionNames: Record<string, string>;
  /** Every function's events, in the order of serverless.yml. */
  events: DeclaredEvent[];
  /** Set when a function has an httpApi event. */
  httpApiId?: string;
  /** Set when a function has a websocket event. */
  webSocketApiId?: string;
  resolver: Resolver;
}

export interface StackDefaults {
  accountId: string;
  /** Used when provider.region is missing. */
  region: string;
  /** Used when provider.stage is missing. */
  stage: string;
  /** `http://127.0.0.1:<edge port>`, the base of local queue URLs. */
  edgeUrl: string;
}

export function readStack(stack: ResolvedStack, defaults: StackDefaults): StackContext {
  const config = stack.config;
  const provider = record(config.provider);
  const serviceValue = config.service;
  const stackService = isRecord(serviceValue) ? String(serviceValue.name) : String(serviceValue);
  const stage = String(provider.stage ?? defaults.stage);
  const region = String(provider.region ?? defaults.region);
  const stackName = typeof provider.stackName === 'string' ? provider.stackName : `${stackService}-${stage}`;
  const functionsConfig = record(config.functions);
  const resourcesSection = record(config.resources);
  const resources = record(resourcesSection.Resources) as Record<string, StackResource>;

  const functionNames: Record<string, string> = {};
  for (const [name, fn] of Object.entries(functionsConfig)) {
    const declared = record(fn).name;
    functionNames[lambdaLogicalId(name)] =
      typeof declared === 'string' ? declared : `${stackService}-${stage}-${name}`;
  }
  const events = Object.entries(functionsConfig).flatMap(([name, fn]) =>
    toList(record(fn).events).map((event) => ({ name, event: record(event) })),
  );
  const hasHttp = events.some(({ event }) => event.httpApi !== undefined);
  const hasWebSocket = events.some(({ event }) => event.websocket !== undefined);
  const httpApiId = hasHttp ? `local-${stack.service}-http` : undefined;
  const webSocketApiId = hasWebSocket ? `local-${stack.service}-ws` : undefined;

  const resolver = createResolver({
    stack: stackService,
    stackName,
    region,
    accountId: defaults.accountId,
    resources,
    conditions: record(resourcesSection.Conditions),
    functionNames,
    ...(httpApiId ? { httpApiId } : {}),
    ...(webSocketApiId ? { webSocketApiId } : {}),
    edgeUrl: defaults.edgeUrl,
  });

  return {
    stack,
    stackService,
    stage,
    provider,
    functionsConfig,
    resources,
    extensions: record(resourcesSection.extensions),
    functionNames,
    events,
    ...(httpApiId ? { httpApiId } : {}),
    ...(webSocketApiId ? { webSocketApiId } : {}),
    resolver,
  };
}
