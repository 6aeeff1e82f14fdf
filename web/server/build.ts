import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

/**
 * The web app's static export (`next build`, `output: 'export'`), built once
 * and kept in `.local-cloud/cache/web-<hash>` while its inputs are unchanged:
 * the hash covers web/ (less this server and the tests), the workspace
 * packages it bundles (react/, client/, events/src), the lockfile (the
 * versions of Next.js and React), the root tsconfig and the NEXT_PUBLIC_*
 * variables. A start with the build cached costs the hash (tens of ms).
 */

export const WEB_DIR = resolve(import.meta.dirname, '..');
const ROOT = resolve(WEB_DIR, '..');

/** Folders and files whose content makes the build, relative to the repository root. */
const INPUTS = ['web', 'react', 'client', 'events/src', 'package-lock.json', 'tsconfig.json'];
/** Never inputs: outputs, dependencies, what Next.js writes itself (.next, cache, next-env.d.ts), this server, tests. */
const SKIPPED_DIRS = new Set(['node_modules', '.next', 'out', 'cache', 'server']);
const isSkippedFile = (name: string) => name === 'next-env.d.ts' || /\.test\.tsx?$/.test(name);

const filesOf = async (path: string): Promise<string[]> => {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.'))
      files.push(...(await filesOf(join(path, entry.name))));
    else if (entry.isFile() && !isSkippedFile(entry.name)) files.push(join(path, entry.name));
  }
  return files;
};

/** The NEXT_PUBLIC_* variables are inlined by the build, so they are inputs too. */
const publicEnv = (env: NodeJS.ProcessEnv) =>
  Object.entries(env)
    .filter(([name]) => name.startsWith('NEXT_PUBLIC_'))
    .sort(([a], [b]) => a.localeCompare(b));

export const webBuildHash = async (root = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<string> => {
  const hash = createHash('sha256');
  const files = (await Promise.all(INPUTS.map((input) => filesOf(join(root, input))))).flat().sort();
  for (const file of files) {
    hash.update(relative(root, file)).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  hash.update(JSON.stringify(publicEnv(env)));
  return hash.digest('hex').slice(0, 32);
};

export interface WebBuild {
  /** The folder of the static export, to be served as is. */
  dir: string;
  /** Whether this call ran `next build` (false: the cached build was used). */
  built: boolean;
  ms: number;
}

export interface WebBuildOptions {
  root?: string;
  say?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Runs `next build` in web/ (offline: no telemetry, no fonts fetched), its output kept for the error. */
export const runNextBuild = (cwd = WEB_DIR): Promise<void> =>
  new Promise((done, fail) => {
    const next = createRequire(join(cwd, 'package.json')).resolve('next/dist/bin/next');
    const child = spawn(process.execPath, [next, 'build'], {
      cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`next build failed (exit ${code}):\n${output.slice(-4_000)}`)),
    );
  });

const KEEP_BUILDS = 3;

/** Leaves the newest few builds (other branches' builds stay usable), removes the rest. */
const prune = async (cache: string) => {
  const builds = (await readdir(cache)).filter((name) => /^web-[0-9a-f]{32}$/.test(name));
  const dated = await Promise.all(
    builds.map(async (name) => ({ name, at: (await stat(join(cache, name))).mtimeMs })),
  );
  dated.sort((a, b) => b.at - a.at);
  for (const { name } of dated.slice(KEEP_BUILDS))
    await rm(join(cache, name), { recursive: true, force: true });
};

/**
 * The static export for the current inputs: the cached one, or a new
 * `next build` (one at a time per repository: a second start waits for the
 * first one's build rather than building into the same folders).
 */
export const ensureWebBuild = async (options: WebBuildOptions = {}): Promise<WebBuild> => {
  const started = performance.now();
  const root = options.root ?? ROOT;
  const cache = join(root, '.local-cloud', 'cache');
  const hash = await webBuildHash(root);
  const dir = join(cache, `web-${hash}`);
  const lock = join(cache, 'web-build.lock');
  const elapsed = () => Math.round(performance.now() - started);
  await mkdir(cache, { recursive: true });

  for (let said = false; ; ) {
    if (await exists(join(dir, 'index.html'))) return { dir, built: false, ms: elapsed() };
    try {
      await mkdir(lock);
    } catch {
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (holder && !alive(holder)) await rm(lock, { recursive: true, force: true });
      else {
        if (!said) options.say?.('waiting for the web app build of another start…');
        said = true;
        await sleep(250);
      }
      continue;
    }
    try {
      await writeFile(join(lock, 'pid'), String(process.pid));
      if (await exists(join(dir, 'index.html'))) return { dir, built: false, ms: elapsed() };
      options.say?.('building the web app (next build: first start, or web/, react/ or client/ changed)…');
      const web = join(root, 'web');
      await rm(join(web, 'out'), { recursive: true, force: true });
      await runNextBuild(web);
      const staging = `${dir}.${process.pid}.tmp`;
      await rm(staging, { recursive: true, force: true });
      await cp(join(web, 'out'), staging, { recursive: true });
      await rename(staging, dir);
      await prune(cache);
      return { dir, built: true, ms: elapsed() };
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
};
