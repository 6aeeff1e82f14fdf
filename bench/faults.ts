/**
 * `npm run bench:faults`: 200 comments to 50 WebSocket subscribers of their
 * post (each also subscribed to the feed, as the web app's post page is)
 * while 30 % of the broadcaster's invocations fail and 5 % of `@connections`
 * calls answer 500 (the local cloud's fault injection, seeded), then counts
 * per subscriber the distinct frames (by eventId) that arrived.
 *
 *   npm run bench:faults [-- --comments 200] [--subscribers 50] [--function-failure 0.3]
 *                        [--connections-failure 0.05] [--seed 13] [--visibility-scale 0.0333]
 *
 * 1. The local cloud runs in this process with the fault plan
 *    `{"seed":13,"functions":{"connections.broadcast":0.3,"connections.broadcastPage":0.3},
 *    "connections":{"failureRate":0.05,"status":500}}` (both broadcaster
 *    functions: the event's first page and the continuations) and every SQS
 *    visibility timeout scaled by 1/30 (the broadcaster's queues 180 s -> 6 s:
 *    a failed batch comes back in seconds; the values are printed). The
 *    account's limits are AWS's.
 * 2. One post; the subscribers open and subscribe (to `post:<id>` and `feed`).
 * 3. The comments are POSTed, 4 at a time.
 * 4. Settling: until every subscriber has every comment's frame on both
 *    topics, or the broadcaster's queues (comment events and fan-out) hold
 *    nothing (waiting, in flight or delayed) and no frame arrived for 3 s.
 * 5. The dead letters: every DLQ the stacks declare is listed with
 *    `npm run dlq`'s code (scripts/dead-letters) and each that holds
 *    messages is redriven; then settling again (up to 3 rounds, should a
 *    redriven message fail five times more).
 * 6. The count, per subscriber, of distinct `comment.created` frames (by
 *    eventId) of the post's topic: the last line is one JSON object,
 *    {"bench":"faults","expected":10000,"delivered":...,"duplicates":...,"inDlq":...,"redriven":...,"lost":...}
 *    (the feed's figures are printed on the line before). Target: lost 0.
 */
import { parseArgs } from 'node:util';
import { clientsFor, findDeadLetterQueues, redriveDeadLetters } from '../scripts/dead-letters/dead-letters';
import { type FrameStats, type SubscriberPool, startSubscriberPool } from './subscribers/pool';
import { sleep } from './support';
import {
  type BenchCloud,
  type BenchRun,
  httpApi,
  invocationsOf,
  type LogEntry,
  loadAverage,
  machine,
  queueDepths,
  runBench,
  say,
  startBenchCloud,
  waitUntilCommentable,
} from './system';

const { values } = parseArgs({
  options: {
    comments: { type: 'string' },
    subscribers: { type: 'string' },
    'function-failure': { type: 'string' },
    'connections-failure': { type: 'string' },
    seed: { type: 'string' },
    'visibility-scale': { type: 'string' },
  },
});

const numberOf = (name: string, raw: string | undefined, fallback: number, integer = true): number => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
    throw new Error(`${name}: not ${raw}`);
  return value;
};

const COMMENTS = numberOf('--comments', values.comments, 200);
const SUBSCRIBERS = numberOf('--subscribers', values.subscribers, 50);
const FUNCTION_FAILURE = numberOf('--function-failure', values['function-failure'], 0.3, false);
const CONNECTIONS_FAILURE = numberOf('--connections-failure', values['connections-failure'], 0.05, false);
const SEED = numberOf('--seed', values.seed, 13);
const VISIBILITY_SCALE = numberOf('--visibility-scale', values['visibility-scale'], 1 / 30, false);
const COMMENTS_IN_FLIGHT = 4;
const BROADCASTER_QUEUES = ['local-connections-comment-events', 'local-connections-fanout'];
const OVERALL_TIMEOUT_MS = 600_000;
const SETTLE_TIMEOUT_MS = 180_000;
const QUIET_MS = 3_000;

const faults = {
  seed: SEED,
  functions: { 'connections.broadcast': FUNCTION_FAILURE, 'connections.broadcastPage': FUNCTION_FAILURE },
  connections: { failureRate: CONNECTIONS_FAILURE, status: 500 },
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The broadcaster's per-page figures, summed. */
const pages = { lines: 0, delivered: 0, failed: 0, throttled: 0, continued: 0, abandoned: 0, retries: 0 };
const onLog = (entry: LogEntry) => {
  if (!entry.functionKey.startsWith('connections.broadcast') || entry.json?.message !== 'Broadcast page sent')
    return;
  const line = entry.json as Record<string, number>;
  pages.lines++;
  pages.delivered += line.delivered ?? 0;
  pages.failed += line.failed ?? 0;
  pages.throttled += line.throttled ?? 0;
  pages.continued += line.continued ?? 0;
  pages.abandoned += line.abandoned ?? 0;
  if (line.round) pages.retries++;
};

interface Count {
  delivered: number;
  duplicates: number;
  /** Comments of which some subscriber has no frame. */
  incomplete: number;
}

/** Distinct frames (by eventId) per subscriber of one topic, over the bench's comments. */
const countOf = (frames: FrameStats[], topic: string, commentIds: ReadonlySet<string>): Count => {
  const mine = frames.filter(
    (frame) => frame.topic === topic && frame.type === 'comment.created' && commentIds.has(frame.commentId),
  );
  const perComment = new Map<string, number>();
  for (const frame of mine)
    perComment.set(frame.commentId, (perComment.get(frame.commentId) ?? 0) + frame.sockets);
  return {
    delivered: mine.reduce((sum, frame) => sum + frame.sockets, 0),
    duplicates: mine.reduce((sum, frame) => sum + frame.copies - frame.sockets, 0),
    incomplete: [...commentIds].filter((id) => (perComment.get(id) ?? 0) < SUBSCRIBERS).length,
  };
};

/**
 * Waits until every frame is in, or the broadcaster's queues are empty (nothing
 * waiting, in flight or delayed) and no frame came for QUIET_MS.
 */
const settle = async (
  { sqs }: BenchCloud,
  subscribers: SubscriberPool,
  complete: (frames: FrameStats[]) => boolean,
  label: string,
) => {
  const started = performance.now();
  let copies = -1;
  let quietSince = performance.now();
  let lastReport = 0;
  while (performance.now() - started < SETTLE_TIMEOUT_MS) {
    const { frames } = await subscribers.stats();
    if (complete(frames)) return `${label}: every frame in after ${seconds(performance.now() - started)}`;
    const total = frames.reduce((sum, frame) => sum + frame.copies, 0);
    if (total !== copies) {
      copies = total;
      quietSince = performance.now();
    }
    const depths = await queueDepths(sqs, BROADCASTER_QUEUES);
    const queued = depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight + depth.delayed, 0);
    if (queued === 0 && performance.now() - quietSince >= QUIET_MS) {
      return `${label}: queues empty and no frame for ${seconds(QUIET_MS)} after ${seconds(performance.now() - started)}`;
    }
    if (performance.now() - lastReport >= 10_000) {
      lastReport = performance.now();
      say(
        `  ${label}: ${total} frames so far; queues ${depths
          .map(
            (depth) =>
              `${depth.name.replace('local-connections-', '')} ${depth.visible}/${depth.inFlight}/${depth.delayed}`,
          )
          .join(', ')} (waiting/in flight/delayed); load ${loadAverage()}`,
      );
    }
    await sleep(500);
  }
  return `${label}: still unsettled after ${seconds(SETTLE_TIMEOUT_MS)}`;
};

const main = async (run: BenchRun): Promise<string> => {
  say(
    `faults bench: ${COMMENTS} comments to ${SUBSCRIBERS} subscribers of one post (and the feed); ` +
      `${FUNCTION_FAILURE * 100} % of the broadcaster's invocations fail, ${CONNECTIONS_FAILURE * 100} % of @connections calls answer 500 (seed ${SEED})`,
  );
  say(`machine: ${machine()}; load average ${loadAverage()}`);
  const started = performance.now();
  const bench = await startBenchCloud({ faults, visibilityTimeoutScale: VISIBILITY_SCALE, onLog });
  run.bench = bench;
  const { cloud, dynamodb } = bench;
  say(
    `local cloud ready in ${seconds(performance.now() - started)}; faults: ${cloud.settings.faultLines.join('; ')}`,
  );
  const scaled = cloud.topology.queues
    .filter((queue) => queue.name.startsWith('local-connections'))
    .map((queue) => `${queue.name} ${queue.visibilityTimeoutSeconds} s`);
  say(`visibility timeouts (scale ${VISIBILITY_SCALE.toFixed(4)}): ${scaled.join(', ')}`);

  const api = httpApi(cloud);
  const author = await api.token('faults-author');
  const commenter = await api.token('faults-commenter');
  const postId = await api.newPost(author, 'faults bench');
  const topic = `post:${postId}`;
  await waitUntilCommentable(dynamodb, postId);

  const pool = startSubscriberPool({
    url: cloud.urls.websocket,
    topics: [topic, 'feed'],
    count: SUBSCRIBERS,
    processes: 1,
    connectsPerSecond: 400,
    subscribesPerSecond: 1_000,
    concurrency: 10,
  });
  run.pool = pool;

  const opened = await pool.open();
  say(
    `set-up: ${opened.opened} subscribers on ${topic} and feed in ${seconds(opened.ms)} ` +
      `(${opened.missingReplies} subscribe replies lost to the injected 500s and asked again)`,
  );

  cloud.resetMetrics();
  const postStarted = performance.now();
  const commentIds = new Set<string>();
  let refused = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: COMMENTS_IN_FLIGHT }, async () => {
      while (next < COMMENTS) {
        const index = ++next;
        for (let attempt = 1; ; attempt++) {
          const response = await api.comment(commenter, postId, `faults bench comment ${index}`);
          if (response.status === 201) {
            commentIds.add(response.body.id);
            break;
          }
          refused++;
          if (attempt >= 5)
            throw new Error(`comment ${index}: ${response.status} ${JSON.stringify(response.body)}`);
          await sleep(200 * attempt);
        }
      }
    }),
  );
  say(
    `${commentIds.size} comments created in ${seconds(performance.now() - postStarted)} (${refused} refused and retried)`,
  );

  const expected = COMMENTS * SUBSCRIBERS;
  const complete = (frames: FrameStats[]) =>
    countOf(frames, topic, commentIds).delivered >= expected &&
    countOf(frames, 'feed', commentIds).delivered >= expected;
  say(await settle(bench, pool, complete, 'delivery'));

  const clients = clientsFor({ endpoint: cloud.urls.edge, region: 'us-east-1' });
  let inDlq = 0;
  let redriven = 0;
  try {
    for (let round = 1; round <= 3; round++) {
      const queues = await findDeadLetterQueues(clients, { prefix: 'local-' });
      const holding = queues.filter((queue) => queue.waiting + queue.inFlight > 0);
      say(
        `dead letters, round ${round}: ${queues.map((queue) => `${queue.name} ${queue.waiting}`).join(', ')}`,
      );
      if (holding.length === 0) break;
      for (const queue of holding) {
        inDlq += queue.waiting + queue.inFlight;
        const result = await redriveDeadLetters(clients.sqs, { from: queue });
        redriven += result.moved;
        say(
          `  redriven ${result.moved} from ${queue.name} to ${result.destinationUrl} (${result.failed} left)`,
        );
      }
      say(await settle(bench, pool, complete, `after redrive ${round}`));
    }
  } finally {
    clients.sqs.destroy();
    clients.events.destroy();
  }

  const { frames, closed } = await pool.stats();
  const post = countOf(frames, topic, commentIds);
  const feed = countOf(frames, 'feed', commentIds);
  const metrics = cloud.metrics();
  const broadcast = invocationsOf(cloud, 'connections.broadcast');
  const pageFunction = invocationsOf(cloud, 'connections.broadcastPage');
  say(
    `broadcaster: broadcast ${broadcast.invocations} invocations (${broadcast.errors} failed), broadcastPage ` +
      `${pageFunction.invocations} (${pageFunction.errors} failed); @connections: ${metrics.webSocket.injectedConnectionsFaults} ` +
      `injected 500s, ${metrics.webSocket.throttledConnectionsCalls} 429s; pages and retries logged ${pages.lines} ` +
      `(${pages.retries} retry continuations): delivered ${pages.delivered}, failed ${pages.failed}, continued ${pages.continued}, ` +
      `abandoned ${pages.abandoned}; events lost by EventBridge ${metrics.eventBridge.lostEvents}; sockets closed by the server ${closed}`,
  );
  say(
    `feed: expected ${expected}, delivered ${feed.delivered}, duplicates ${feed.duplicates}, lost ${expected - feed.delivered}`,
  );
  say(`total ${seconds(performance.now() - started)}; load average ${loadAverage()}`);
  return JSON.stringify({
    bench: 'faults',
    expected,
    delivered: post.delivered,
    duplicates: post.duplicates,
    inDlq,
    redriven,
    lost: expected - post.delivered,
  });
};

// npm run dlq's clients take the SDK's usual credentials; the local edge accepts any.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

await runBench('faults', OVERALL_TIMEOUT_MS, main);
