/**
 * `npm run bench`: figures of the local cloud from one run on this machine.
 * - time from `npm start` to ready, with the resolved-stacks cache cold and warm
 *   (cold includes the web app's `next build`, whose time is printed too);
 * - time from ready to the web app's first page rendered in headless Chromium
 *   (launched beforehand, a fresh profile each time: nothing cached), on every warm start;
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
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium } from '../tests/browser/support/chromium';
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
  return {
    ...started,
    url: `http://127.0.0.1:${ports.LC_HTTP_PORT}`,
    web: `http://localhost:${ports.LC_WEB_PORT}`,
  };
};

interface FirstRender {
  /** Ready to the first contentful paint (the prerendered header). */
  paintMs: number;
  /** Ready to the posts list shown (config read, API answered, list rendered). */
  listMs: number;
}

/** Opens the web app right after `ready` in a fresh browser context; times from ready. */
const firstRender = async (browser: Browser, web: string, readyAt: number): Promise<FirstRender> => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(web);
    // A fresh cloud has no posts: the list is shown when it says so (or shows one).
    await page
      .locator('[data-testid="no-posts"], [data-testid="post-item"]')
      .first()
      .waitFor({ timeout: 30_000 });
    const listMs = performance.now() - readyAt;
    const paint = await page.evaluate(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN",
    );
    // The page's clock starts at its navigation, which began a moment after ready.
    const navigationStart = await page.evaluate('performance.timeOrigin');
    return { paintMs: Number(navigationStart) + Number(paint) - (performance.timeOrigin + readyAt), listMs };
  } finally {
    await context.close();
  }
};

console.log(
  `machine: ${cpus().length} cores, node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);

// 1. Start-up: cold (osls resolves every stack, next build makes the web app) then warm (both cached by content).
rmSync(join(root, '.local-cloud', 'cache'), { recursive: true, force: true });
// And Next.js's own build cache, as on a fresh clone (with it, next build takes about 2 s instead of 5).
rmSync(join(root, 'web', '.next'), { recursive: true, force: true });
const cold = await startCloud();
const webBuildS = Number(/built the web app in ([\d.]+) s/.exec(cold.output())?.[1] ?? Number.NaN);
await stop(cold.child);
const executablePath = chromiumPath();
const browser = executablePath ? await launchChromium(executablePath) : undefined;
const warmTimes: number[] = [];
const renders: FirstRender[] = [];
const warmStart = async () => {
  const started = await startCloud();
  const readyAt = performance.now();
  warmTimes.push(started.readyMs);
  if (browser) renders.push(await firstRender(browser, started.web, readyAt));
  return started;
};
for (let i = 0; i < 3; i++) await stop((await warmStart()).child);
await browser?.close();
// One more warm start, with no page opened: the functions a page calls would each
// warm an execution environment (35 to 45 MB) and the idle figure would no longer be idle.
const cloud = await startCloud();

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
  npm start to ready, cold cache     ${ms(cold.readyMs)}   (of which the web app's next build ${webBuildS.toFixed(1)} s)
  npm start to ready, warm (median)  ${ms(median(warmTimes))}   (runs: ${warmTimes.map(ms).join(', ')})
  ready to first page, warm (median) ${renders.length ? `${ms(median(renders.map((r) => r.paintMs)))} first paint, ${ms(median(renders.map((r) => r.listMs)))} posts list shown   (runs: ${renders.map((r) => ms(r.listMs)).join(', ')})` : 'not measured: no Chromium'}
  idle memory, all processes         ${idleMb.toFixed(0)} MB RSS   (no page opened)
  GET ${ROUTE}
    local cloud                      ${load(local)}
    serverless-offline 13            ${load(reference)}
    ratio                            ${(local.requestsPerSecond / reference.requestsPerSecond).toFixed(1)}x
  load average at the end            ${loadavg()[0]?.toFixed(2)}
`);
process.exit(0);
