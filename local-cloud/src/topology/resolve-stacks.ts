import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

/** One stack as osls resolved it (`serverless print`): variables done, intrinsics left as they are. */
export interface ResolvedStack {
  /** `events` for the events stack, the folder name for services/<name>. */
  service: string;
  /** Absolute folder of the serverless.yml. */
  dir: string;
  config: Record<string, unknown>;
}

export interface ResolveStacksOptions {
  root: string;
  stage: string;
  region: string;
  params: Record<string, string>;
  cacheDir: string;
}

/** events/serverless.yml and every services/<name>/serverless.yml, events first then by name. */
export async function findStackDirs(root: string): Promise<{ service: string; dir: string }[]> {
  const stacks: { service: string; dir: string }[] = [];
  if (existsSync(join(root, 'events', 'serverless.yml'))) {
    stacks.push({ service: 'events', dir: join(root, 'events') });
  }
  const servicesDir = join(root, 'services');
  if (existsSync(servicesDir)) {
    const entries = await readdir(servicesDir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = join(servicesDir, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, 'serverless.yml'))) {
        stacks.push({ service: entry.name, dir });
      }
    }
  }
  return stacks;
}

const require = createRequire(import.meta.url);

function oslsBin(): { bin: string; version: string } {
  const packageJson = require.resolve('osls/package.json');
  const { version } = require(packageJson) as { version: string };
  return { bin: join(dirname(packageJson), 'bin', 'serverless.js'), version };
}

/**
 * Everything the printed config depends on: the stack file, the files it pulls in
 * with ${file(...)}, the environment variables it reads with ${env:...}, the
 * options and the osls version. A change to any of them misses the cache.
 */
async function cacheKey(dir: string, options: ResolveStacksOptions, oslsVersion: string): Promise<string> {
  const hash = createHash('sha256');
  const source = await readFile(join(dir, 'serverless.yml'), 'utf8');
  hash.update(source);
  const files = new Set<string>();
  for (const match of source.matchAll(/\$\{file\(([^)]+)\)/g)) {
    if (match[1]) files.add(resolve(dir, match[1].trim()));
  }
  for (const file of [...files].sort()) {
    hash.update(`\0file:${file}\0`);
    hash.update(existsSync(file) ? await readFile(file) : 'missing');
  }
  for (const match of source.matchAll(/\$\{env:([A-Za-z0-9_]+)/g)) {
    const name = match[1] ?? '';
    hash.update(`\0env:${name}=${process.env[name] ?? ''}`);
  }
  const params = Object.entries(options.params).sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify({ stage: options.stage, region: options.region, params, oslsVersion }));
  return hash.digest('hex').slice(0, 32);
}

function runPrint(bin: string, dir: string, options: ResolveStacksOptions): Promise<string> {
  const args = [bin, 'print', '--format', 'json', '--stage', options.stage, '--region', options.region];
  for (const [key, value] of Object.entries(options.params)) args.push('--param', `${key}=${value}`);
  return new Promise((resolvePrint, reject) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        // No telemetry, no update checks, no prompts: print must work offline.
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', CI: '1' },
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = `${stderr}\n${stdout}`.trim().split('\n').slice(-15).join('\n');
          reject(new Error(`serverless print failed in ${dir}:\n${detail}`));
          return;
        }
        resolvePrint(stdout);
      },
    );
  });
}

function parsePrinted(output: string, dir: string): Record<string, unknown> {
  // Plugins may log before the JSON document: start at the first line that opens it.
  const start = output.search(/^\{/m);
  if (start < 0) throw new Error(`serverless print in ${dir} printed no JSON`);
  const parsed: unknown = JSON.parse(output.slice(start));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`serverless print in ${dir} printed no object`);
  }
  return parsed as Record<string, unknown>;
}

/** Resolves one stack with osls, through the cache. */
export async function resolveStack(
  stack: { service: string; dir: string },
  options: ResolveStacksOptions,
): Promise<ResolvedStack & { fromCache: boolean }> {
  const { bin, version } = oslsBin();
  const key = await cacheKey(stack.dir, options, version);
  const cacheFile = join(options.cacheDir, `${stack.service}-${key}.json`);
  if (existsSync(cacheFile)) {
    try {
      const config = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, unknown>;
      return { ...stack, config, fromCache: true };
    } catch {
      // A torn cache file is just a miss.
    }
  }
  const config = parsePrinted(await runPrint(bin, stack.dir, options), relative(options.root, stack.dir));
  await mkdir(options.cacheDir, { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(config));
  await rename(temporary, cacheFile);
  return { ...stack, config, fromCache: false };
}

/** All stacks under root, resolved in parallel. */
export async function resolveStacks(
  options: ResolveStacksOptions,
): Promise<(ResolvedStack & { fromCache: boolean })[]> {
  const stacks = await findStackDirs(options.root);
  return Promise.all(stacks.map((stack) => resolveStack(stack, options)));
}
