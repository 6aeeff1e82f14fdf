/**
 * moto's server (`moto_server`, pip install "moto[server]") as a child
 * process: found on the PATH, started on a port, ready when `/moto-api/`
 * answers. Used by the deploy rehearsal (scripts/rehearse.ts) and the
 * external-edge suite (tests/integration/moto-edge.test.ts), both skipped
 * with a notice where moto is not installed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../listen-ports';

/** Whether `moto_server` is on the PATH. */
export const hasMotoServer = (): boolean =>
  spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status === 0;

export const MOTO_MISSING_NOTICE = 'moto_server is not installed (pip install "moto[server]")';

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** moto's own output (its tracebacks when it answers a 500). */
  logFile: string;
  /** The last lines of its log from the last traceback on, for error messages. */
  lastTraceback(lines?: number): string;
  stop(): Promise<void>;
}

export interface MotoServerOptions {
  host?: string;
  /** Default: a free port. */
  port?: number;
  /**
   * Every request's account (moto's MOTO_ACCOUNT_ID); moto's own default is
   * 123456789012. The local cloud's stacks are in 000000000000.
   */
  accountId?: string;
  /** How long moto may take to answer (it imports every service's backend: seconds). */
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts moto_server and waits until it answers. */
export const startMotoServer = async (options: MotoServerOptions = {}): Promise<MotoServer> => {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const url = `http://${host}:${port}`;
  const logFile = join(mkdtempSync(join(tmpdir(), 'moto-')), 'moto.log');
  const child: ChildProcess = spawn('moto_server', ['-H', host, '-p', String(port)], {
    stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    env: { ...process.env, ...(options.accountId ? { MOTO_ACCOUNT_ID: options.accountId } : {}) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  const lastTraceback = (lines = 6) => {
    const log = readFileSync(logFile, 'utf8');
    return log
      .slice(Math.max(0, log.lastIndexOf('Traceback')))
      .trim()
      .split('\n')
      .slice(-lines)
      .join('\n');
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        kill();
        throw new Error(`moto_server did not answer on ${url}: ${error}\n${lastTraceback(10)}`);
      }
    }
    await sleep(100);
  }
  return {
    url,
    port,
    logFile,
    lastTraceback,
    async stop() {
      process.off('exit', kill);
      kill();
      await exited;
    },
  };
};
