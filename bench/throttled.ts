/**
 * `npm run bench:throttled`: one comment to N WebSocket subscribers of its
 * post with the local cloud's account limit lowered to L requests a second,
 * N/L = 10 s by default (N = 20,000, L = 2,000: 100,000 subscribers against
 * AWS's 10,000 a second, scaled down). Times the comment's 201 to the last
 * subscriber's frame, against the ideal N/L.
 *
 *   npm run bench:throttled [-- --subscribers N] [--limit L] [--burst B] [--warmups W] [--comments K]
 *   (or BENCH_THROTTLED_SUBSCRIBERS, BENCH_THROTTLED_LIMIT, BENCH_THROTTLED_BURST)
 *
 * 1. The local cloud runs in this process (startLocalCloud) with the
 *    account's bucket at L a second and AWS's proportion of burst (B = L/2
 *    unless set), new connections at AWS's 500 a second; the subscribers'
 *    sockets live in child processes (bench/subscribers), 10,000 at most
 *    each. The open-files limit is per process and the local cloud holds
 *    the server side of every socket plus some 600 descriptors of its own:
 *    under a limit too low for the default N, N is lowered to the largest
 *    thousand that fits, and L with it (N/L stays 10 s), and the run says so.
 * 2. One post; a comment on it before anyone subscribes (starts
 *    createComment's and broadcast's workers; nothing to send).
 * 3. The N sockets open and subscribe to the post's topic within the limits:
 *    their handshakes at 400 a second (of the 500), their subscribes at 0.4 L
 *    a second (each costs the account two requests: the message and its
 *    `subscribed` reply over `@connections`), so set-up is not throttled;
 *    then the subscriptions are counted on the edge (N).
 * 4. Before each comment nothing runs for B/L + 2 s: the bucket is full
 *    again, as AWS's would be after an idle moment, so the comment gets the
 *    burst AWS would give it (no run can end before (N - B)/L, printed). The
 *    limit is never raised: the local cloud sets it at start.
 * 5. W warm-up comments (1 by default) to all N, printed and not counted:
 *    the first fan-out after a start runs the broadcaster's send path and
 *    broadcastPage's environments cold. Then K timed comments (1 by
 *    default): from each one's 201 to the last subscriber's
 *    `comment.created` is `lastS`. Printed for each: the deciles, the CPU
 *    (the machine's, the local cloud's), the 429s `@connections` answered,
 *    the broadcaster's invocations and each page's line (when it ended,
 *    delivered, throttled, continued, its rate at the end).
 *
 * The last line is one JSON object (the worst of the timed comments):
 * {"bench":"throttled","subscribers":N,"limitRps":L,"delivered":D,"idealS":N/L,"lastS":...,"ratioToIdeal":...}
 * Target: D = N, ratioToIdeal at most 1.1. Prints figures; fails only when
 * the run cannot be made (exit 1), or on the overall timeout (exit 2).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpuSince, openFilesLimit, processCpu, quantile } from './fanout/support';
import { type SubscriberPool, startSubscriberPool } from './subscribers/pool';
import { preciseNow } from './subscribers/protocol';
import { sleep } from './support';
import type { BenchCloud, BenchRun, LogEntry } from './system';
import {
  httpApi,
  invocationsOf,
  loadAverage,
  machine,
  runBench,
  say,
  startBenchCloud,
  subscriptionCount,
  waitUntilCommentable,
} from './system';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', short: 'n' },
    limit: { type: 'string', short: 'l' },
    burst: { type: 'string' },
    comments: { type: 'string' },
    warmups: { type: 'string' },
    'timeout-s': { type: 'string' },
  },
});

const numberOf = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} wants a positive whole number, not ${raw}`);
  return value;
};

const DEFAULT_SUBSCRIBERS = 20_000;
/** N / L of the default: 100,000 subscribers at AWS's 10,000 a second. */
const IDEAL_SECONDS = 10;
/** Descriptors the local cloud holds besides one per WebSocket (its edge, workers' HTTP pools, files). */
const CLOUD_OWN_DESCRIPTORS = 1_000;
/** Sockets per subscriber process (each holds one descriptor per socket). */
const SOCKETS_PER_PROCESS = 10_000;
const NEW_CONNECTIONS_PER_SECOND = 500;

const requestedN = numberOf('--subscribers', values.subscribers ?? process.env.BENCH_THROTTLED_SUBSCRIBERS);
const requestedL = numberOf('--limit', values.limit ?? process.env.BENCH_THROTTLED_LIMIT);
const requestedBurst = numberOf('--burst', values.burst ?? process.env.BENCH_THROTTLED_BURST);
const COMMENTS = numberOf('--comments', values.comments) ?? 1;
const WARMUPS = values.warmups === '0' ? 0 : (numberOf('--warmups', values.warmups) ?? 1);
const OVERALL_TIMEOUT_MS = (numberOf('--timeout-s', values['timeout-s']) ?? 600) * 1000;

const openFiles = openFilesLimit() ?? Number.POSITIVE_INFINITY;
const fitting = Math.floor((openFiles - CLOUD_OWN_DESCRIPTORS) / 1000) * 1000;
let notes: string[] = [];
let N = requestedN ?? DEFAULT_SUBSCRIBERS;
if (N + CLOUD_OWN_DESCRIPTORS > openFiles) {
  if (requestedN !== undefined || fitting < 1000) {
    process.stderr.write(
      `throttled bench: ulimit -n is ${openFiles}, too few for ${N} subscribers: the local cloud holds one ` +
        `descriptor per WebSocket and some ${CLOUD_OWN_DESCRIPTORS} of its own. Run under \`ulimit -n ` +
        `${N + CLOUD_OWN_DESCRIPTORS}\` or ask for fewer (--subscribers).\n`,
    );
    process.exit(1);
  }
  notes = [
    `N lowered from ${DEFAULT_SUBSCRIBERS.toLocaleString('en-US')} to ${fitting.toLocaleString('en-US')}: ` +
      `this process may open ${openFiles} files (ulimit -n, the hard limit here), and the local cloud ` +
      `holds one per WebSocket and some ${CLOUD_OWN_DESCRIPTORS} of its own; L follows (N/L = ${IDEAL_SECONDS} s)`,
  ];
  N = fitting;
}
const L = requestedL ?? N / IDEAL_SECONDS;
const BURST = requestedBurst ?? Math.max(1, Math.floor(L / 2));
const IDEAL_S = N / L;
/** The first B frames pass on the bucket's burst: no run can end before (N - B) / L. */
const BUCKET_FLOOR_S = Math.max(0, N - BURST) / L;

/** The machine's CPU time so far, busy and in all (Linux /proc/stat, clock ticks). */
const machineCpu = () => {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const total = fields.reduce((sum, value) => sum + value, 0);
    // idle and iowait
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
};
const busyShare = (before: ReturnType<typeof machineCpu>, after: ReturnType<typeof machineCpu>) =>
  after.total > before.total ? (after.busy - before.busy) / (after.total - before.total) : Number.NaN;

/** Files this process (the local cloud) has open (Linux). */
const openDescriptors = () => {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A "Broadcast page sent" line of the broadcaster, with when it was written. */
interface PageLine {
  at: number;
  functionKey: string;
  eventId: string;
  topic: string;
  page: number;
  round?: number;
  subscribers: number;
  delivered: number;
  failed: number;
  throttled: number;
  continued: number;
  abandoned: number;
  sendsPerSecond: number;
}

const pageLines: PageLine[] = [];
const broadcasterWarnings: string[] = [];
const onLog = (entry: LogEntry) => {
  if (!entry.functionKey.startsWith('connections.broadcast')) return;
  if (entry.json?.message === 'Broadcast page sent') {
    pageLines.push({ at: entry.time.getTime(), functionKey: entry.functionKey, ...entry.json } as PageLine);
  } else if (entry.level === 'WARN' || entry.level === 'ERROR') {
    broadcasterWarnings.push(`${entry.functionKey}: ${entry.message ?? entry.line}`);
  }
};

interface Timed {
  delivered: number;
  duplicates: number;
  lastS: number;
  firstS: number;
  postS: number;
  deciles: number[];
  throttledCalls: number;
}

const timedComment = async (
  { cloud }: BenchCloud,
  subscribers: SubscriberPool,
  token: string,
  postId: string,
  label: string,
): Promise<Timed> => {
  const topic = `post:${postId}`;
  const api = httpApi(cloud);
  cloud.resetMetrics();
  const linesBefore = pageLines.length;
  const machineBefore = machineCpu();
  const cloudBefore = processCpu(process.pid);
  const t0 = preciseNow();
  const response = await api.comment(token, postId, `throttled bench, ${label}`);
  const t201 = preciseNow();
  if (response.status !== 201)
    throw new Error(`comment: ${response.status} ${JSON.stringify(response.body)}`);
  const commentId = response.body.id;
  const ofComment = async (withTimes = false) =>
    (await subscribers.stats({ commentIds: [commentId], withTimes })).frames.find(
      (frame) => frame.topic === topic && frame.type === 'comment.created',
    );

  const waitMs = Math.max(60_000, IDEAL_S * 5_000);
  let lastReport = performance.now();
  let descriptors = openDescriptors();
  for (const deadline = performance.now() + waitMs; performance.now() < deadline; ) {
    const frame = await ofComment();
    descriptors = Math.max(descriptors, openDescriptors());
    if ((frame?.sockets ?? 0) >= N) break;
    if (performance.now() - lastReport >= 2_000) {
      lastReport = performance.now();
      say(
        `  ${label}: ${frame?.sockets ?? 0}/${N} after ${seconds(preciseNow() - t201)}, load ${loadAverage()}`,
      );
    }
    await sleep(100);
  }
  const machineBusy = busyShare(machineBefore, machineCpu());
  const cloudCpu = cpuSince(cloudBefore, processCpu(process.pid));
  const windowS = (preciseNow() - t0) / 1000;
  // Late copies (a frame sent twice) would come now.
  await sleep(2_000);
  const frame = await ofComment(true);
  const times = (frame?.firstAt ?? []).map((at) => at - t201).sort((a, b) => a - b);
  const throttledCalls = cloud.metrics().webSocket.throttledConnectionsCalls;
  const result: Timed = {
    delivered: frame?.sockets ?? 0,
    duplicates: (frame?.copies ?? 0) - (frame?.sockets ?? 0),
    lastS: (times.at(-1) ?? Number.NaN) / 1000,
    firstS: (times[0] ?? Number.NaN) / 1000,
    postS: (t201 - t0) / 1000,
    deciles: Array.from({ length: 10 }, (_, decile) => quantile(times, (decile + 1) / 10) / 1000),
    throttledCalls,
  };

  say(
    `  ${label}: delivered ${result.delivered}/${N}, duplicates ${result.duplicates}; POST answered in ` +
      `${seconds(t201 - t0)}; from the 201: first frame ${result.firstS.toFixed(3)} s, last ${result.lastS.toFixed(2)} s ` +
      `(ideal ${IDEAL_S} s, ratio ${(result.lastS / IDEAL_S).toFixed(3)}; against (N - burst) / L = ` +
      `${BUCKET_FLOOR_S.toFixed(2)} s, the least the bucket allows, ${(result.lastS / BUCKET_FLOOR_S).toFixed(3)}); ` +
      `load ${loadAverage()}`,
  );
  say(
    `    descriptors held by the local cloud's process: at most ${descriptors} (${descriptors - N} besides the sockets)`,
  );
  say(
    `    CPU until the last frame (${windowS.toFixed(1)} s): the machine ${(machineBusy * 100).toFixed(0)} % busy ` +
      `(both cores, everyone's work); the local cloud ${(cloudCpu.totalMs / windowS / 10).toFixed(0)} % of a core ` +
      `(its main thread, the gateways and the edge, ${(cloudCpu.mainMs / windowS / 10).toFixed(0)} %)`,
  );
  say(`    by decile (s from the 201): ${result.deciles.map((value) => value.toFixed(2)).join(' ')}`);
  const broadcast = invocationsOf(cloud, 'connections.broadcast');
  const pages = invocationsOf(cloud, 'connections.broadcastPage');
  say(
    `    @connections answered 429 ${throttledCalls} times (${(throttledCalls / Math.max(1, result.delivered)).toFixed(2)} per frame); ` +
      `invocations: broadcast ${broadcast.invocations} (max ${broadcast.maxConcurrent} at once), broadcastPage ` +
      `${pages.invocations} (max ${pages.maxConcurrent} at once, ${pages.throttles} throttled)`,
  );
  const lines = pageLines.slice(linesBefore).filter((line) => line.topic === topic);
  say(
    '    pages (ended at, s from the 201; function; page[/retry round]; subscribers; delivered; 429s; continued; rate at the end):',
  );
  for (const line of lines.sort((a, b) => a.at - b.at)) {
    say(
      `      ${((line.at - t201) / 1000).toFixed(2).padStart(6)}  ${line.functionKey.replace('connections.', '').padEnd(13)} ` +
        `${`${line.page}${line.round ? `/r${line.round}` : ''}`.padStart(6)}  ${String(line.subscribers).padStart(5)} ` +
        `${String(line.delivered).padStart(5)} ${String(line.throttled).padStart(6)} ${String(line.continued).padStart(5)} ` +
        `${String(line.sendsPerSecond).padStart(6)}/s`,
    );
  }
  return result;
};

const main = async (run: BenchRun): Promise<string> => {
  say(
    `throttled fan-out bench: ${N.toLocaleString('en-US')} subscribers of one post, account limit ${L.toLocaleString('en-US')}/s (burst ${BURST.toLocaleString('en-US')}), ideal N/L = ${IDEAL_S} s`,
  );
  say(`machine: ${machine()}; load average ${loadAverage()}; ulimit -n ${openFiles}`);
  for (const note of notes) say(`note: ${note}`);

  const started = performance.now();
  const bench = await startBenchCloud({
    limits: { accountRps: L, accountBurst: BURST, newConnectionsPerSecond: NEW_CONNECTIONS_PER_SECOND },
    onLog,
  });
  run.bench = bench;
  const { cloud, dynamodb } = bench;
  say(
    `local cloud ready in ${seconds(performance.now() - started)} (limits: ${JSON.stringify(cloud.settings.limits)})`,
  );

  const api = httpApi(cloud);
  const author = await api.token('throttled-author');
  const commenter = await api.token('throttled-commenter');
  const postId = await api.newPost(author, `throttled fan-out to ${N}`);
  const topic = `post:${postId}`;
  await waitUntilCommentable(dynamodb, postId);
  const warm = await api.comment(commenter, postId, 'warm-up, before anyone subscribes');
  if (warm.status !== 201) throw new Error(`warm-up comment: ${warm.status}`);

  const processes = Math.ceil(N / SOCKETS_PER_PROCESS);
  const connectsPerSecond = NEW_CONNECTIONS_PER_SECOND * 0.8;
  const subscribesPerSecond = L * 0.4;
  say(
    `opening ${N} sockets in ${processes} process(es): handshakes at most ${connectsPerSecond}/s, ` +
      `subscribes at most ${subscribesPerSecond}/s (two account requests each)`,
  );
  let lastProgress = 0;
  const pool = startSubscriberPool({
    url: cloud.urls.websocket,
    topics: [topic],
    count: N,
    processes,
    connectsPerSecond,
    subscribesPerSecond,
    onProgress: ({ opened, subscribed, retries }) => {
      if (performance.now() - lastProgress < 10_000) return;
      lastProgress = performance.now();
      say(`  ${opened} open, ${subscribed} subscribed, ${retries} retries; load ${loadAverage()}`);
    },
  });
  run.pool = pool;

  const opened = await pool.open();
  const stored = await subscriptionCount(dynamodb, topic);
  const setup = cloud.metrics();
  say(
    `set-up: ${opened.opened} sockets open and subscribed in ${seconds(opened.ms)} ` +
      `(${Math.round((opened.opened / opened.ms) * 1000)}/s; ${opened.retries} retries: ${opened.refusedHandshakes} handshakes ` +
      `refused with 429, ${opened.throttledSubscribes} subscribes throttled, ${opened.missingReplies} replies missing; ` +
      `the account's 429s so far: ${setup.webSocket.throttledConnectionsCalls} @connections, ${setup.webSocket.throttledMessages} ` +
      `messages); ${stored} subscriptions stored; ${openDescriptors()} descriptors open here; load ${loadAverage()}`,
  );
  if (stored !== N) throw new Error(`${stored} subscriptions stored for ${topic}, not ${N}`);

  // What the local DynamoDB's TTL sweeper (every 30 s, on the local cloud's main thread, where the
  // gateways run) costs with these tables: a sweep that falls within a fan-out slows it down.
  const sweepStarted = performance.now();
  const sweepCpu = processCpu(process.pid);
  await cloud.edge.dynamodb.sweepExpiredItems();
  say(
    `a TTL sweep of the local DynamoDB (every 30 s) takes ${seconds(performance.now() - sweepStarted)} now, ` +
      `${seconds(cpuSince(sweepCpu, processCpu(process.pid)).mainMs)} of the local cloud's main thread`,
  );

  const results: Timed[] = [];
  for (let comment = 1 - WARMUPS; comment <= COMMENTS; comment++) {
    const label = comment < 1 ? `warm-up ${comment + WARMUPS}` : `comment ${comment}`;
    const quietMs = (BURST / L) * 1000 + 2_000;
    say(`${label}: ${seconds(quietMs)} with nothing sent (the bucket refills), then the comment`);
    await sleep(quietMs);
    const result = await timedComment(bench, pool, commenter, postId, label);
    if (comment >= 1) results.push(result);
  }
  if (broadcasterWarnings.length > 0) {
    say(
      `broadcaster warnings and errors: ${broadcasterWarnings.length}; the last: ${broadcasterWarnings.slice(-3).join(' | ')}`,
    );
  }
  if (bench.cloudLog.length > 0) {
    say(`local cloud warnings: ${bench.cloudLog.length}; the last: ${bench.cloudLog.slice(-3).join(' | ')}`);
  }
  say(`total ${seconds(performance.now() - started)}; load average ${loadAverage()}`);
  // The worst of the timed comments (one by default).
  const worst = results.reduce((a, b) => (b.lastS > a.lastS || b.delivered < a.delivered ? b : a));
  return JSON.stringify({
    bench: 'throttled',
    subscribers: N,
    limitRps: L,
    delivered: worst.delivered,
    idealS: IDEAL_S,
    lastS: Number(worst.lastS.toFixed(3)),
    ratioToIdeal: Number((worst.lastS / IDEAL_S).toFixed(3)),
  });
};

await runBench('throttled', OVERALL_TIMEOUT_MS, main);
