/**
 * `npx tsx bench/fanout.ts` (10k sockets: run under `ulimit -n 20000`):
 * how fast one comment reaches every WebSocket subscriber of its post on the
 * local cloud, next to the machine's bare rate for the shape of `@connections`.
 *
 * 1. The local cloud runs as a child process (`tsx local-cloud/bin/start.ts
 *    --quiet` on free loopback ports), so the clients here do not share its
 *    event loop.
 * 2. For N = 100 (100 warm-up comments, then 10 timed) and N = 10,000 (2
 *    warm-up comments, which also start the broadcaster's page workers, then
 *    3 timed), on a post of its own: N sockets open (200 at a time) and
 *    subscribe to `post:<id>`; once the comments service has projected the
 *    post (its known-posts row is read on the edge, so no comment is spent on
 *    probing), t0 is taken, one comment is POSTed, and every subscriber's
 *    receipt of its `comment.created` frame is timed from t0.
 * 3. The bare rate: a plain `ws` server plus an HTTP server in a child
 *    (bench/fanout/bare-server.ts) taking `POST /@connections/{id}`; 10,000
 *    sockets here, one POST each from another child
 *    (bench/fanout/bare-poster.ts) over a keep-alive agent (maxSockets 64,
 *    64 in flight), timed until every socket has its frame; as many warm-up
 *    passes as the 10,000 case's warm-up comments, then the median of three.
 *
 * Prints figures only; nothing fails on speed. Everything stays on 127.0.0.1;
 * the run is bounded (BENCH_FANOUT_TIMEOUT_S, default 600) and cleans up.
 * Knobs: BENCH_FANOUT_SMALL (100), BENCH_FANOUT_LARGE (10000),
 * BENCH_FANOUT_SMALL_RUNS (10), BENCH_FANOUT_LARGE_RUNS (3),
 * BENCH_FANOUT_SMALL_WARMUPS (100), BENCH_FANOUT_LARGE_WARMUPS (2); BENCH_FANOUT_VERBOSE=1
 * shows the children's output (stderr).
 */
import type { ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import {
  type Child,
  type CpuTimes,
  cpuSince,
  forEachLimited,
  freePort,
  median,
  openFilesLimit,
  processCpu,
  quantile,
  scriptProcess,
  sleep,
  spawnUntilReady,
  stopChild,
} from './fanout/support';
import { httpCall } from './system';

const SMALL = Number(process.env.BENCH_FANOUT_SMALL ?? 100);
const LARGE = Number(process.env.BENCH_FANOUT_LARGE ?? 10_000);
const SMALL_RUNS = Number(process.env.BENCH_FANOUT_SMALL_RUNS ?? 10);
const LARGE_RUNS = Number(process.env.BENCH_FANOUT_LARGE_RUNS ?? 3);
/**
 * Comments sent before the timed ones, as the bare rate gets a warm-up pass:
 * each function's worker, the gateway and dynalite run interpreted code at
 * first and V8 optimizes it per isolate; at N = 100 the latency keeps falling
 * for about the first hundred comments (measured: p50 ~75 ms for comments
 * 1-10, ~60 for 11-30, ~35 from about 40 on), at N = 10,000 the rate still
 * climbs over the first comments. The warm-ups are printed, not counted; the
 * summary also shows the first ten, which is what a freshly started system
 * gives.
 */
const SMALL_WARMUPS = Number(process.env.BENCH_FANOUT_SMALL_WARMUPS ?? 100);
const LARGE_WARMUPS = Number(process.env.BENCH_FANOUT_LARGE_WARMUPS ?? 2);
/** Warm-up comments summarised as "first comments" (the system still warming). */
const FIRST_COMMENTS = 10;
const OVERALL_TIMEOUT_MS = Number(process.env.BENCH_FANOUT_TIMEOUT_S ?? 600) * 1000;
const OPEN_CONCURRENCY = 200;
const BARE_CONCURRENCY = 64;
/** Bare passes: warm-ups as many as the 10,000 case's, then three timed ones (their median is the bare rate). */
const BARE_WARMUPS = LARGE_WARMUPS;
const BARE_PASSES = BARE_WARMUPS + 3;
const HOST = '127.0.0.1';
/** The comments service's known-posts table on the local stage: a comment succeeds once its post is here. */
const KNOWN_POSTS_TABLE = 'local-comments-posts';

const children = new Set<ChildProcess>();
/** The local cloud's output, shown when the bench fails. */
let cloudOutput: (() => string) | undefined;
const allSockets = new Set<WebSocket>();

const cleanup = async () => {
  // The cloud first: stopping, it closes its sockets without running $disconnect for each.
  await Promise.all([...children].map((child) => stopChild(child)));
  children.clear();
  for (const socket of allSockets) socket.terminate();
  allSockets.clear();
};

const watchdog = setTimeout(() => {
  process.stderr.write(`\nfanout bench: overall timeout (${OVERALL_TIMEOUT_MS / 1000} s), stopping\n`);
  void cleanup().finally(() => process.exit(2));
}, OVERALL_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

const log = (message: string) => process.stdout.write(`${message}\n`);
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
const perSecond = (value: number) =>
  Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')}/s` : 'n/a';
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

// ---------------------------------------------------------------------------------------------
// The local cloud and its HTTP API.

interface Cloud {
  child: Child;
  /** The node process running the local cloud (tsx starts it as a child), for CPU accounting. */
  pid: number | undefined;
  http: string;
  ws: string;
  edge: string;
}

const startCloud = async (): Promise<Cloud> => {
  const ports = {
    http: await freePort(),
    ws: await freePort(),
    edge: await freePort(),
    web: await freePort(),
  };
  const child = await spawnUntilReady(['local-cloud/bin/start.ts', '--quiet'], {
    env: {
      LC_HOST: HOST,
      LC_HTTP_PORT: String(ports.http),
      LC_WS_PORT: String(ports.ws),
      LC_EDGE_PORT: String(ports.edge),
      LC_WEB_PORT: String(ports.web),
    },
    ready: /ready in ([\d.]+ s)/,
    timeoutMs: 180_000,
  });
  children.add(child.process);
  cloudOutput = child.output;
  return {
    child,
    pid: scriptProcess(child.process.pid ?? -1, 'local-cloud/bin/start.ts'),
    http: `http://${HOST}:${ports.http}`,
    ws: `ws://${HOST}:${ports.ws}`,
    edge: `http://${HOST}:${ports.edge}`,
  };
};

const api = <T>(cloud: Cloud, method: string, path: string, body?: unknown, token?: string) =>
  httpCall<T>(cloud.http, method, path, body, token);

const newToken = async (cloud: Cloud, sub: string) => {
  const response = await api<{ token: string }>(cloud, 'POST', '/_local/token', { sub });
  if (response.status !== 200) throw new Error(`token: ${response.status}`);
  return response.body.token;
};

const newPost = async (cloud: Cloud, token: string, title: string) => {
  const response = await api<{ id: string }>(
    cloud,
    'POST',
    '/api/v1/posts',
    { title, body: 'fan-out bench' },
    token,
  );
  if (response.status !== 201)
    throw new Error(`create post: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
};

/**
 * Resolves once the comments service has projected the post (PostCreated
 * travels bus -> queue -> projectPosts): its known-posts row exists and is not
 * deleted, which is exactly what createComment's conditional counter needs.
 * A read on the edge, so no comment is spent on probing.
 */
const waitUntilCommentable = async (dynamo: DynamoDBClient, postId: string, timeoutMs = 30_000) => {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: KNOWN_POSTS_TABLE,
        Key: { postId: { S: postId } },
        ConsistentRead: true,
      }),
    );
    if (Item && !Item.deletedAt) return performance.now() - started;
    await sleep(20);
  }
  throw new Error(`post ${postId} not in ${KNOWN_POSTS_TABLE} within ${timeoutMs} ms`);
};

// ---------------------------------------------------------------------------------------------
// Subscribers: N sockets on one topic, each timing its first comment.created of the current run.

class Subscribers {
  readonly sockets: WebSocket[] = [];
  /** performance.now() of the first comment.created of the current run, per socket (NaN: none yet). */
  readonly firstAt: Float64Array;
  readonly firstId: (string | undefined)[];
  received = 0;
  extraFrames = 0;
  openRetries = 0;
  private waiting?: () => void;
  private readonly replies = new Map<string, (frame: { type: string }) => void>();

  constructor(
    readonly size: number,
    private readonly url: string,
    readonly topic: string,
  ) {
    this.firstAt = new Float64Array(size).fill(Number.NaN);
    this.firstId = new Array(size).fill(undefined);
  }

  private onFrame(index: number, data: WebSocket.RawData) {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as { type: string; requestId?: string; data?: { id?: string } };
    if (frame.type === 'comment.created') {
      if (!Number.isNaN(this.firstAt[index] as number)) {
        this.extraFrames++;
        return;
      }
      this.firstAt[index] = at;
      this.firstId[index] = frame.data?.id;
      if (++this.received === this.size) this.waiting?.();
    } else if (frame.requestId) {
      this.replies.get(frame.requestId)?.(frame);
    }
  }

  private connect(index: number): Promise<WebSocket> {
    return new Promise((resolveOpen, reject) => {
      const socket = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
      allSockets.add(socket);
      socket.on('message', (data) => this.onFrame(index, data));
      socket.once('open', () => resolveOpen(socket));
      socket.once('unexpected-response', (_request, response) => {
        allSockets.delete(socket);
        socket.terminate();
        reject(new Error(`handshake refused: ${response.statusCode}`));
      });
      socket.on('error', (error) => {
        allSockets.delete(socket);
        reject(error);
      });
    });
  }

  private subscribe(index: number, socket: WebSocket): Promise<void> {
    const requestId = `s${index}-${Math.random().toString(36).slice(2, 8)}`;
    return new Promise((resolveReply, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(requestId);
        reject(new Error(`no reply to subscribe within 30 s (socket ${index})`));
      }, 30_000);
      this.replies.set(requestId, (frame) => {
        clearTimeout(timer);
        this.replies.delete(requestId);
        if (frame.type === 'subscribed') resolveReply();
        else reject(new Error(`subscribe answered ${JSON.stringify(frame)}`));
      });
      socket.send(JSON.stringify({ action: 'subscribe', topic: this.topic, requestId }));
    });
  }

  /** Opens every socket (OPEN_CONCURRENCY at a time) and subscribes it; resolves when all are subscribed. */
  async open(): Promise<void> {
    await forEachLimited(this.size, OPEN_CONCURRENCY, async (index) => {
      for (let attempt = 1; ; attempt++) {
        let socket: WebSocket | undefined;
        try {
          socket = await this.connect(index);
          await this.subscribe(index, socket);
          this.sockets[index] = socket;
          return;
        } catch (error) {
          socket?.terminate();
          if (attempt >= 5) throw error;
          this.openRetries++;
          await sleep(100 * attempt);
        }
      }
    });
  }

  startRun() {
    this.firstAt.fill(Number.NaN);
    this.firstId.fill(undefined);
    this.received = 0;
    this.extraFrames = 0;
  }

  /** Resolves when every socket has a comment.created of this run, or at the deadline. */
  everyone(timeoutMs: number): Promise<boolean> {
    if (this.received === this.size) return Promise.resolve(true);
    return new Promise((resolveAll) => {
      const timer = setTimeout(() => {
        delete this.waiting;
        resolveAll(false);
      }, timeoutMs);
      this.waiting = () => {
        clearTimeout(timer);
        delete this.waiting;
        resolveAll(true);
      };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting: the cloud's process (all threads, and its main thread) and this bench.

interface CpuUse {
  /** CPU of the measured server process, all threads (ms). */
  serverMs: number;
  /** Of which its main thread (ms). */
  serverMainMs: number;
  /** CPU of this bench process: the clients (ms). */
  clientMs: number;
}

const cpuMeter = (pid: number | undefined) => {
  const server: CpuTimes = processCpu(pid);
  const client = process.cpuUsage();
  return (): CpuUse => {
    const used = cpuSince(server, processCpu(pid));
    const own = process.cpuUsage(client);
    return { serverMs: used.totalMs, serverMainMs: used.mainMs, clientMs: (own.user + own.system) / 1000 };
  };
};

/** CPU per item, in µs. */
const perItem = (cpu: CpuUse, items: number) =>
  `${((cpu.serverMs * 1000) / items).toFixed(0)} µs (main thread ${((cpu.serverMainMs * 1000) / items).toFixed(0)} µs)`;

// ---------------------------------------------------------------------------------------------
// One fan-out case.

interface Run {
  delivered: number;
  p50: number;
  p99: number;
  /** From t0 to the last subscriber's receipt (ms). */
  last: number;
  first: number;
  /** The POST's own answer (ms). */
  postAnswered: number;
  /** N / last, per second. */
  rate: number;
  /** Receipts per second between the first and the last receipt (the fan-out alone). */
  spreadRate: number;
  /** Time from t0 by which 10%, 20%, ... 100% had their frame. */
  deciles: number[];
  extraFrames: number;
  complete: boolean;
  /** From t0 until the last receipt (or the deadline). */
  cpu: CpuUse;
}

interface CaseResult {
  n: number;
  openMs: number;
  openCpu: CpuUse;
  openRetries: number;
  projectedMs: number;
  warmups: Run[];
  runs: Run[];
}

const runCase = async (
  cloud: Cloud,
  dynamo: DynamoDBClient,
  token: string,
  n: number,
  runs: number,
  warmups = 0,
): Promise<CaseResult> => {
  const postId = await newPost(cloud, token, `fan-out to ${n}`);
  const subscribers = new Subscribers(n, cloud.ws, `post:${postId}`);
  const openStarted = performance.now();
  const openMeter = cpuMeter(cloud.pid);
  await subscribers.open();
  const openMs = performance.now() - openStarted;
  const openCpu = openMeter();
  log(
    `  N=${n}: ${n} sockets open and subscribed in ${ms(openMs)} (${perSecond((n / openMs) * 1000)}` +
      `${subscribers.openRetries ? `, ${subscribers.openRetries} retries` : ''}), ` +
      `cloud CPU per subscriber ${perItem(openCpu, n)}, load ${load()}`,
  );
  const projectedMs = await waitUntilCommentable(dynamo, postId);

  const results: Run[] = [];
  const warmupResults: Run[] = [];
  for (let run = 1 - warmups; run <= runs; run++) {
    const label = run < 1 ? `warm-up ${run + warmups}` : `run ${run}`;
    await sleep(500);
    subscribers.startRun();
    const meter = cpuMeter(cloud.pid);
    const t0 = performance.now();
    const response = await api<{ id: string }>(
      cloud,
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: `fan-out bench, ${label}` },
      token,
    );
    const postAnswered = performance.now() - t0;
    if (response.status !== 201)
      throw new Error(`comment: ${response.status} ${JSON.stringify(response.body)}`);
    const complete = await subscribers.everyone(Math.max(30_000, n * 10));
    const cpu = meter();
    const latencies: number[] = [];
    for (let index = 0; index < n; index++) {
      if (subscribers.firstId[index] === response.body.id)
        latencies.push((subscribers.firstAt[index] as number) - t0);
    }
    latencies.sort((a, b) => a - b);
    const last = latencies.at(-1) ?? Number.NaN;
    const first = latencies[0] ?? Number.NaN;
    const result: Run = {
      delivered: latencies.length,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      last,
      first,
      postAnswered,
      rate: (n / last) * 1000,
      spreadRate: last > first ? ((latencies.length - 1) / (last - first)) * 1000 : Number.NaN,
      deciles: Array.from({ length: 10 }, (_, decile) => quantile(latencies, (decile + 1) / 10)),
      extraFrames: subscribers.extraFrames,
      complete: complete && latencies.length === n,
      cpu,
    };
    (run < 1 ? warmupResults : results).push(result);
    log(
      `  N=${n} ${label}: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, last ${ms(result.last)}, ` +
        `first ${ms(result.first)}, POST answered ${ms(postAnswered)}, ` +
        `delivered ${result.delivered}/${n}, ${perSecond(result.rate)}` +
        `${result.extraFrames ? `, ${result.extraFrames} extra frames` : ''}`,
    );
    if (n >= 1000) {
      log(`    by decile (ms from POST): ${result.deciles.map((value) => value.toFixed(0)).join(' ')}`);
      log(
        `    cloud CPU per frame ${perItem(cpu, n)}, clients ${((cpu.clientMs * 1000) / n).toFixed(0)} µs; ` +
          `receipts first to last ${perSecond(result.spreadRate)}; load ${load()}`,
      );
    }
  }
  return {
    n,
    openMs,
    openCpu,
    openRetries: subscribers.openRetries,
    projectedMs,
    warmups: warmupResults,
    runs: results,
  };
};

// ---------------------------------------------------------------------------------------------
// The bare rate: ws + http, POST /@connections/{id} -> socket.send(body).

interface BarePass {
  /** N / (last receipt - t0), per second. */
  rate: number;
  lastMs: number;
  postsDoneMs: number;
  /** CPU per frame (µs): the server, the poster, and the receiving clients in this process. */
  serverUs: number;
  serverMainUs: number;
  posterUs: number;
  receiversUs: number;
}

interface BareResult {
  n: number;
  passes: BarePass[];
}

/** Resolves with the next line of a child's stdout that matches. */
const nextLine = (child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
  new Promise((resolveLine, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = pattern.exec(buffered);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolveLine(match);
    };
    child.stdout?.on('data', onData);
  });

/**
 * The bare shape, three processes as in the local cloud case: the server
 * (bare-server.ts), the POSTing client (bare-poster.ts, where the local cloud
 * has the broadcaster's workers) and the N receiving sockets here. The rate
 * is the median of the timed passes, after as many warm-up passes as the
 * 10,000 case has warm-up comments.
 */
const runBare = async (n: number, frame: Buffer, passes = BARE_PASSES): Promise<BareResult> => {
  const server = await spawnUntilReady(['bench/fanout/bare-server.ts'], {
    ready: /bare listening on (\d+)/,
    timeoutMs: 60_000,
  });
  children.add(server.process);
  const port = Number(server.match);
  const serverPid = scriptProcess(server.process.pid ?? -1, 'bench/fanout/bare-server.ts');
  const sockets: WebSocket[] = new Array(n);
  let received = 0;
  let lastAt = 0;
  let everyone: (() => void) | undefined;

  await forEachLimited(n, OPEN_CONCURRENCY, async (index) => {
    await new Promise<void>((resolveHello, reject) => {
      const socket = new WebSocket(`ws://${HOST}:${port}`, { perMessageDeflate: false });
      allSockets.add(socket);
      sockets[index] = socket;
      let greeted = false;
      socket.on('error', reject);
      socket.on('message', () => {
        if (!greeted) {
          greeted = true;
          resolveHello();
          return;
        }
        lastAt = performance.now();
        if (++received === n) everyone?.();
      });
    });
  });

  const poster = await spawnUntilReady(
    ['bench/fanout/bare-poster.ts', String(port), String(BARE_CONCURRENCY)],
    {
      env: { BARE_FRAME: frame.toString() },
      ready: /poster ready (\d+)/,
      timeoutMs: 60_000,
      stdin: true,
    },
  );
  children.add(poster.process);
  if (Number(poster.match) !== n) throw new Error(`bare poster sees ${poster.match} connections, not ${n}`);

  const result: BareResult = { n, passes: [] };
  for (let pass = 1; pass <= passes; pass++) {
    received = 0;
    const done = new Promise<void>((resolveAll, reject) => {
      const timer = setTimeout(() => reject(new Error(`bare: ${received}/${n} frames after 120 s`)), 120_000);
      everyone = () => {
        clearTimeout(timer);
        resolveAll();
      };
    });
    const posted = nextLine(poster.process, /posted ([\d.]+) ([\d.]+)\n/, 120_000);
    const meter = cpuMeter(serverPid);
    const t0 = performance.now();
    poster.process.stdin?.write('go\n');
    const [, postsDone, posterCpuMs] = await posted;
    await done;
    const cpu = meter();
    const last = lastAt - t0;
    const perFrame = (msTotal: number) => (msTotal * 1000) / n;
    const measured: BarePass = {
      rate: (n / last) * 1000,
      lastMs: last,
      postsDoneMs: Number(postsDone),
      serverUs: perFrame(cpu.serverMs),
      serverMainUs: perFrame(cpu.serverMainMs),
      posterUs: perFrame(Number(posterCpuMs)),
      receiversUs: perFrame(cpu.clientMs),
    };
    result.passes.push(measured);
    log(
      `  bare pass ${pass}${pass <= BARE_WARMUPS ? ' (warm-up)' : ''}: ${n} frames in ${ms(last)} ` +
        `(POSTs answered in ${ms(measured.postsDoneMs)}): ${perSecond(measured.rate)}; CPU per frame: server ` +
        `${measured.serverUs.toFixed(0)} µs (main thread ${measured.serverMainUs.toFixed(0)} µs), ` +
        `poster ${measured.posterUs.toFixed(0)} µs, receivers ${measured.receiversUs.toFixed(0)} µs`,
    );
    await sleep(300);
  }
  poster.process.stdin?.end();
  await stopChild(poster.process);
  children.delete(poster.process);
  for (const socket of sockets) {
    socket.terminate();
    allSockets.delete(socket);
  }
  await stopChild(server.process);
  children.delete(server.process);
  return result;
};

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const machine = `machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}, load average ${load()}`;
  log(machine);
  const loadAtStart = loadavg()[0]?.toFixed(2) ?? '?';

  log('starting the local cloud (child process)...');
  const cloud = await startCloud();
  log(
    `local cloud ready in ${cloud.child.match ?? '?'} (pid ${cloud.pid ?? cloud.child.process.pid}), load ${load()}`,
  );
  const dynamo = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: cloud.edge,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const token = await newToken(cloud, 'fanout-bench');

  // Warm-up: one subscriber, one comment, so the first timed comment does not start cold
  // workers for createComment and broadcast.
  log('warm-up: one comment to one subscriber');
  const warm = await runCase(cloud, dynamo, token, 1, 1);
  if (!warm.runs[0]?.complete) throw new Error('warm-up comment not delivered');

  log(`fan-out to ${SMALL} subscribers, ${SMALL_WARMUPS} warm-up + ${SMALL_RUNS} timed comments`);
  const small = await runCase(cloud, dynamo, token, SMALL, SMALL_RUNS, SMALL_WARMUPS);
  log(`fan-out to ${LARGE} subscribers, ${LARGE_WARMUPS} warm-up + ${LARGE_RUNS} timed comment(s)`);
  const large = await runCase(cloud, dynamo, token, LARGE, LARGE_RUNS, LARGE_WARMUPS);
  const loadAfterFanOut = load();
  dynamo.destroy();

  log('stopping the local cloud');
  await stopChild(cloud.child.process);
  children.delete(cloud.child.process);
  for (const socket of allSockets) socket.terminate();
  allSockets.clear();
  await sleep(1_000);

  // The same frame size as the cloud sends (a comment.created of a short comment).
  const frame = Buffer.from(
    JSON.stringify({
      type: 'comment.created',
      topic: 'post:01JD8Z6K3Q9W5T2R7X4M1N0P8B',
      eventId: '01JD8Z7M4R0X6U3S8Y5N2P1Q9D',
      data: {
        id: '01JD8Z7M4R0X6U3S8Y5N2P1Q9C',
        postId: '01JD8Z6K3Q9W5T2R7X4M1N0P8B',
        authorId: 'fanout-bench',
        body: 'fan-out bench, run 1',
        createdAt: new Date().toISOString(),
        seq: 1,
      },
    }),
  );
  log(`bare @connections shape: ws + http child, ${LARGE} clients, ${BARE_CONCURRENCY} POSTs in flight`);
  const bare = await runBare(LARGE, frame);

  // Figures.
  const smallP50 = median(small.runs.map((run) => run.p50));
  const smallP99 = median(small.runs.map((run) => run.p99));
  const smallLast = median(small.runs.map((run) => run.last));
  const smallRate = median(small.runs.map((run) => run.rate));
  const smallDelivered = small.runs.reduce((sum, run) => sum + run.delivered, 0);
  const firstComments = small.warmups.slice(0, FIRST_COMMENTS);
  const barePasses = bare.passes.slice(BARE_WARMUPS);
  const bareRate = median(barePasses.map((pass) => pass.rate));
  const bareMid = [...barePasses].sort((a, b) => a.rate - b.rate)[Math.floor(barePasses.length / 2)];
  const row = (label: string, p50: number, p99: number, last: number, delivered: string, rate: number) =>
    `${label.padEnd(40)}${ms(p50).padStart(9)}${ms(p99).padStart(10)}${ms(last).padStart(10)}` +
    `${delivered.padStart(13)}${perSecond(rate).padStart(10)}`;
  const largeRate = median(large.runs.map((run) => run.rate));

  const summary = [
    '',
    '```',
    'WebSocket fan-out on the local cloud: npx tsx bench/fanout.ts (ulimit -n 20000)',
    `machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}; ` +
      `load average (1 min) ${loadAtStart} at start, ${loadAfterFanOut.split(' ')[0]} after the fan-out`,
    '',
    `${''.padEnd(40)}${'p50'.padStart(9)}${'p99'.padStart(10)}${'last'.padStart(10)}${'delivered'.padStart(13)}${'rate'.padStart(10)}`,
    row(
      `N=${SMALL} (median of ${small.runs.length} comments)`,
      smallP50,
      smallP99,
      smallLast,
      `${smallDelivered}/${SMALL * small.runs.length}`,
      smallRate,
    ),
    ...(firstComments.length > 0
      ? [
          row(
            `N=${SMALL}, first ${firstComments.length} (warm-ups, median)`,
            median(firstComments.map((run) => run.p50)),
            median(firstComments.map((run) => run.p99)),
            median(firstComments.map((run) => run.last)),
            `${firstComments.reduce((sum, run) => sum + run.delivered, 0)}/${SMALL * firstComments.length}`,
            median(firstComments.map((run) => run.rate)),
          ),
        ]
      : []),
    ...large.warmups.map((run, index) =>
      row(
        `N=${LARGE}, warm-up ${index + 1}`,
        run.p50,
        run.p99,
        run.last,
        `${run.delivered}/${LARGE}`,
        run.rate,
      ),
    ),
    ...large.runs.map((run, index) =>
      row(
        `N=${LARGE}, comment ${index + 1}`,
        run.p50,
        run.p99,
        run.last,
        `${run.delivered}/${LARGE}`,
        run.rate,
      ),
    ),
    '',
    `open + subscribe ${LARGE} sockets: ${(large.openMs / 1000).toFixed(1)} s (${perSecond((LARGE / large.openMs) * 1000)})`,
    `bare ws + http, ${BARE_CONCURRENCY} POSTs in flight: ${perSecond(bareRate)} (median of ${barePasses.length} passes: ` +
      `${barePasses.map((pass) => perSecond(pass.rate)).join(', ')})`,
    `${LARGE} fan-out / bare: ${(largeRate / bareRate).toFixed(2)} (median of ${large.runs.length} comments: ${large.runs
      .map((run) => (run.rate / bareRate).toFixed(2))
      .join(
        ', ',
      )}${large.warmups.length ? `; warm-up ${large.warmups.map((run) => (run.rate / bareRate).toFixed(2)).join(', ')}` : ''})`,
    `CPU per frame: local cloud ${large.runs
      .map((run, index) => `${perItem(run.cpu, LARGE)} (comment ${index + 1})`)
      .join(', ')}; ` +
      (bareMid
        ? `bare server ${bareMid.serverUs.toFixed(0)} µs (main thread ${bareMid.serverMainUs.toFixed(0)} µs) + its poster ` +
          `${bareMid.posterUs.toFixed(0)} µs; receivers (this process) ${bareMid.receiversUs.toFixed(0)} µs bare, ` +
          `${median(large.runs.map((run) => (run.cpu.clientMs * 1000) / LARGE)).toFixed(0)} µs local cloud`
        : ''),
    '```',
    '',
    'Latency: from just before the comment POST to the subscriber reading its comment.created frame.',
    'Rate: N / time until the last subscriber has it. Warm-up comments (printed above, not counted)',
    "start the functions' workers and let V8 optimize their code, as the bare warm-up passes do for the bare",
    'server. Bare: the same frame over a plain ws + http server, POSTed from a process of its own as the',
    "broadcaster's workers do; CPU: user + system time per frame during the delivery.",
  ];
  log(summary.join('\n'));
};

const openFiles = openFilesLimit();
if (openFiles !== undefined && openFiles < LARGE + 2_000) {
  process.stderr.write(
    `fanout bench: ulimit -n is ${openFiles}, too few for ${LARGE} sockets; ` +
      'run under `ulimit -n 20000` (or set BENCH_FANOUT_LARGE)\n',
  );
  process.exit(1);
}

try {
  await main();
  clearTimeout(watchdog);
  await cleanup();
  process.exit(0);
} catch (error) {
  process.stderr.write(
    `fanout bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (cloudOutput) process.stderr.write(`local cloud output (tail):\n${cloudOutput().slice(-4_000)}\n`);
  await cleanup();
  process.exit(1);
}
