/**
 * `npm run bench`: figures of the local cloud from one run on this machine.
 * - time from `npm start` to ready, with the resolved-stacks cache cold and warm;
 * - memory of the whole local cloud (all processes) when idle;
 * - a trivial route (GET /api/v1/health/posts) through the HTTP gateway and
 *   the Lambda runtime with autocannon, 10 connections, next to
 *   serverless-offline 13 (on osls) serving the same handler in the same run.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, median, root, sleep, spawnUntil, stop, treeRssMb } from './support';

const run = promisify(execFile);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUTE = '/api/v1/health/posts';
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const autocannon = async (url: string): Promise<Load> => {
  // Warm the route (and the function's workers) before measuring.
  await run(bin('autocannon'), ['-c', '10', '-d', '2', url]);
  const { stdout } = await run(bin('autocannon'), ['-c', '10', '-d', String(DURATION_S), '-j', url], {
    maxBuffer: 1 << 24,
  });
  const result = JSON.parse(stdout);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
};

const startCloud = async () => {
  const ports = {
    LC_HTTP_PORT: await freePort(),
    LC_WS_PORT: await freePort(),
    LC_EDGE_PORT: await freePort(),
    LC_WEB_PORT: await freePort(),
  };
  const started = await spawnUntil(
    bin('tsx'),
    ['--disable-warning=ExperimentalWarning', 'local-cloud/bin/start.ts', '--quiet'],
    {
      env: Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ready: /ready in/,
    },
  );
  return { ...started, url: `http://127.0.0.1:${ports.LC_HTTP_PORT}` };
};

console.log(
  `machine: ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);

// 1. Start-up: cold (osls resolves every stack) then warm (resolved stacks cached by content).
rmSync(join(root, '.local-cloud', 'cache'), { recursive: true, force: true });
const cold = await startCloud();
await stop(cold.child);
const warmTimes: number[] = [];
let cloud = await startCloud();
warmTimes.push(cloud.readyMs);
for (let i = 0; i < 2; i++) {
  await stop(cloud.child);
  cloud = await startCloud();
  warmTimes.push(cloud.readyMs);
}

// 2. Idle memory of the local cloud's process tree.
await sleep(5_000);
const idleMb = treeRssMb(cloud.child.pid ?? 0);

// 3. Trivial route through the gateway and the runtime.
const local = await autocannon(`${cloud.url}${ROUTE}`);
await stop(cloud.child);

// 4. The same handler behind serverless-offline, in the same run.
const offlinePort = await freePort();
const offline = await spawnUntil(
  bin('serverless'),
  [
    'offline',
    'start',
    '--host',
    '127.0.0.1',
    '--httpPort',
    String(offlinePort),
    '--lambdaPort',
    String(await freePort()),
  ],
  {
    cwd: join(root, 'bench', 'serverless-offline'),
    ready: /Server ready/,
    env: { SLS_TELEMETRY_DISABLED: '1' },
  },
);
const reference = await autocannon(`http://127.0.0.1:${offlinePort}${ROUTE}`);
await stop(offline.child);

const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
const load = (l: Load) =>
  `${Math.round(l.requestsPerSecond)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms${l.errors ? `, ${l.errors} errors` : ''}`;
console.log(`
local cloud benchmark (npm run bench), ${DURATION_S} s per load run, autocannon -c 10
  npm start to ready, cold cache     ${ms(cold.readyMs)}
  npm start to ready, warm (median)  ${ms(median(warmTimes))}   (runs: ${warmTimes.map(ms).join(', ')})
  idle memory, all processes         ${idleMb.toFixed(0)} MB RSS
  GET ${ROUTE}
    local cloud                      ${load(local)}
    serverless-offline 13            ${load(reference)}
    ratio                            ${(local.requestsPerSecond / reference.requestsPerSecond).toFixed(1)}x
  load average at the end            ${loadavg()[0]?.toFixed(2)}
`);
process.exit(0);
