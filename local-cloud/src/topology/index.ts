import { join } from 'node:path';
import type { ListenPorts } from '../listen-ports';
import { buildTopology } from './build';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE, type Topology } from './model';
import { resolveStacks } from './resolve-stacks';

export { buildTopology, mapExecuteApiUrls } from './build';
export { createResolver, IntrinsicError } from './intrinsics';
export { findStackDirs, type ResolvedStack, resolveStacks } from './resolve-stacks';
export { lambdaLogicalId } from './stack';

export interface LoadTopologyOptions {
  /** The repository root: holds events/serverless.yml and services/<name>/serverless.yml. */
  root: string;
  stage?: string;
  region?: string;
  /** Stage parameters passed to every stack as `--param key=value`. */
  params?: Record<string, string>;
  ports: ListenPorts;
  /** Host in local URLs (queue URLs, mapped execute-api URLs); default 127.0.0.1. */
  host?: string;
  /** Where resolved stacks are cached; defaults to `<root>/.local-cloud/cache`. */
  cacheDir?: string;
}

/**
 * The topology of every stack under root: each serverless.yml resolved by osls
 * itself (cached by content), then its resources and events mapped to local
 * names, ARNs and URLs.
 */
export async function loadTopology(options: LoadTopologyOptions): Promise<Topology> {
  const stage = options.stage ?? LOCAL_STAGE;
  const region = options.region ?? LOCAL_REGION;
  const stacks = await resolveStacks({
    root: options.root,
    stage,
    region,
    params: options.params ?? {},
    cacheDir: options.cacheDir ?? join(options.root, '.local-cloud', 'cache'),
  });
  if (stacks.length === 0) throw new Error(`No serverless.yml under ${options.root}/events or services/*`);
  return buildTopology(stacks, {
    ports: options.ports,
    accountId: LOCAL_ACCOUNT_ID,
    region,
    stage,
    ...(options.host ? { host: options.host } : {}),
  });
}
