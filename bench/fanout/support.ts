/** Small helpers of bench/fanout.ts: child processes, ports, statistics, bounded concurrency. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root, stop } from '../support';

export { freePort, median, root, sleep, stop as stopChild } from '../support';
export const tsxBin = join(root, 'node_modules', '.bin', 'tsx');

export interface Child {
  process: ChildProcess;
  readyMs: number;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** The first capture group of `ready`, if it has one. */
  match?: string;
}

/**
 * Spawns a process with the node running this bench first on PATH, and
 * resolves once its output matches `ready`. Not detached: a child in a
 * session of its own is a scheduling group of its own (Linux autogroup), so
 * a multi-threaded child would get one share of the CPU against the bench's
 * clients whatever its thread count (see bench/support.ts).
 */
export const spawnUntilReady = (
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number; stdin?: boolean },
): Promise<Child> =>
  new Promise((resolveStart, reject) => {
    const started = performance.now();
    const child = spawn(tsxBin, args, {
      cwd: root,
      env: {
        ...process.env,
        ...options.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      },
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      void stop(child);
      reject(new Error(`${args.join(' ')} not ready within ${options.timeoutMs} ms:\n${output}`));
    }, options.timeoutMs);
    const onData = (chunk: Buffer) => {
      if (process.env.BENCH_FANOUT_VERBOSE === '1') process.stderr.write(chunk);
      // Keep the tail only: a long run must not hold every log line.
      output = (output + chunk.toString()).slice(-20_000);
      if (ready) return;
      const match = options.ready.exec(output);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolveStart({
          process: child,
          readyMs: performance.now() - started,
          output: () => output,
          ...(match[1] ? { match: match[1] } : {}),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before ready:\n${output}`));
    });
  });

/** Runs `work(i)` for i in [0, count) with at most `limit` at once. */
export const forEachLimited = async (
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
};

/** The q-quantile (0..1) of already sorted values, nearest rank. */
export const quantile = (sorted: readonly number[], q: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
};

/** The soft limit on open files of this process (Linux), or undefined. */
export const openFilesLimit = (): number | undefined => {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const value = /Max open files\s+(\d+|unlimited)/.exec(limits)?.[1];
    return value === undefined ? undefined : value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
  } catch {
    return undefined;
  }
};

const CLOCK_TICKS_PER_SECOND = 100;

const readCmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/**
 * The process that runs `script` in the tree of `pid` (tsx starts node as a
 * child of its own): the deepest one whose command line names the script.
 */
export const scriptProcess = (pid: number, script: string): number | undefined => {
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {}
    }
  } catch {
    return undefined;
  }
  let found: number | undefined;
  const walk = (current: number) => {
    if (readCmdline(current).includes(script)) found = current;
    for (const child of children.get(current) ?? []) walk(child);
  };
  walk(pid);
  return found;
};

export interface CpuTimes {
  /** CPU time of every thread of the process (ms). */
  totalMs: number;
  /** CPU time of its main thread (ms): the event loop of a Node process. */
  mainMs: number;
}

/** CPU time used so far by a process (Linux /proc; zeros elsewhere). */
export const processCpu = (pid: number | undefined): CpuTimes => {
  // utime and stime are fields 14 and 15 of stat (12 and 13 after the command name), in clock ticks;
  // the process's own stat also counts threads that have exited (retired Lambda workers).
  const cpuOf = (path: string) => {
    try {
      const stat = readFileSync(path, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return 0;
    }
  };
  if (pid === undefined) return { totalMs: 0, mainMs: 0 };
  return { totalMs: cpuOf(`/proc/${pid}/stat`), mainMs: cpuOf(`/proc/${pid}/task/${pid}/stat`) };
};

export const cpuSince = (before: CpuTimes, after: CpuTimes): CpuTimes => ({
  totalMs: after.totalMs - before.totalMs,
  mainMs: after.mainMs - before.mainMs,
});
