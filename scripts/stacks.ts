import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const root = resolve(import.meta.dirname, '..');

export interface Stack {
  name: string;
  dir: string;
  /** The params compose passes the service (`${posts.HttpApiUrl}`: another stack's output). */
  params?: Record<string, string>;
}

/** The stacks of the system, in deploy order, from serverless-compose.yml (the one list of them). */
export const stacks = (): Stack[] => {
  const compose = parse(readFileSync(join(root, 'serverless-compose.yml'), 'utf8')) as {
    services: Record<string, { path: string; params?: Record<string, string> }>;
  };
  return Object.entries(compose.services).map(([name, { path, params }]) => ({
    name,
    dir: join(root, path),
    ...(params ? { params } : {}),
  }));
};
