import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export { freePort } from '../local-cloud/src/listen-ports';

export const root = resolve(import.meta.dirname, '..');

export interface Started {
  child: ChildProcess;
  readyMs: number;
  output: () => string;
}

/** Spawns a server process and resolves once a line of its output matches `ready`. */
export const spawnUntil = (
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<Started> =>
  new Promise((resolveStart, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Not detached: serverless-offline runs about 50 times slower in a session of its own.
    });
    let output = '';
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`not ready within ${options.timeoutMs ?? 120_000} ms:\n${output}`));
    }, options.timeoutMs ?? 120_000);
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (!ready && options.ready.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolveStart({ child, readyMs: performance.now() - started, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`exited with ${code} before ready:\n${output}`));
    });
  });

/** Stops a spawned process and its descendants (npx and tsx start children of their own): SIGTERM, then SIGKILL after `graceMs`. */
export const stop = (child: ChildProcess, graceMs = 5_000): Promise<void> =>
  new Promise((resolveStop) => {
    // A child that already exited, normally or by a signal, has nothing left to stop.
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolveStop();
    const tree = processTree(child.pid);
    const signal = (name: NodeJS.Signals) => {
      for (const pid of tree) {
        try {
          process.kill(pid, name);
        } catch {}
      }
    };
    const kill = setTimeout(() => signal('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    signal('SIGTERM');
  });

/** A process and all its descendants (Linux /proc). */
export const processTree = (pid: number): Set<number> => {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  return tree;
};

/** Resident memory of a process and all its descendants, in MB. */
export const treeRssMb = (pid: number): number => {
  let kb = 0;
  for (const member of processTree(pid)) {
    try {
      const status = readFileSync(join('/proc', String(member), 'status'), 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
};

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
