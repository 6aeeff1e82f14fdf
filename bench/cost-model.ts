/**
 * The cost of a million comments on AWS, at 10, 1,000 and 100,000 subscribers
 * per comment, from the stacks' shapes and the broadcaster's measured CPU per
 * frame, beside the floor that API Gateway's per-message price alone sets.
 *
 *   npm run cost                                 # the table, with the assumptions it used
 *   npm run cost -- --cpu-us-per-frame 250       # another measured CPU per frame
 *   npm run cost -- --comments-per-minute 10     # a busier topic (connection minutes per comment fall)
 *
 * Prices: us-east-1 list prices (first tier, arm64 Lambda, DynamoDB on demand
 * after the November 2024 reduction), checked 2026-12; see PRICES. Every
 * figure below the table is an assumption stated, not a measurement, except
 * the CPU per frame, which comes from `bench/fanout.ts` (README, "Measured").
 */
import { parseArgs } from 'node:util';

/** USD, us-east-1, first pricing tier. */
export const PRICES = {
  /** API Gateway WebSocket: per message (sent or received, 32 KB increments), per connection minute. */
  webSocketMessage: 1.0 / 1e6,
  connectionMinute: 0.25 / 1e6,
  /** API Gateway HTTP API: per request (512 KB increments). */
  httpRequest: 1.0 / 1e6,
  /** Lambda arm64: per request, per GB-second. */
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  /** SQS standard: per request (64 KB chunks). */
  sqsRequest: 0.4 / 1e6,
  /** EventBridge: per custom event published (64 KB chunks); delivery to SQS targets is not charged. */
  eventBridgeEvent: 1.0 / 1e6,
  /** DynamoDB on demand: per write request unit, per read request unit. */
  dynamoWrite: 0.625 / 1e6,
  dynamoRead: 0.125 / 1e6,
} as const;

export interface Assumptions {
  /** The broadcaster's CPU per frame sent (µs), measured by bench/fanout.ts on the local cloud. */
  cpuMicrosPerFrame: number;
  /** Lambda memory of the broadcaster (MB): 1,769 MB is one vCPU, so CPU time stretches below it. */
  memoryMb: number;
  /** Comments per minute on one topic: a subscriber's connection minute is shared by that many comments. */
  commentsPerMinute: number;
  /** Subscribers per broadcast page (one invocation, one Query page, one continuation message each). */
  pageSize: number;
  /** Bytes of one subscription item read by the page Query. */
  subscriptionItemBytes: number;
  /** Wall time (ms) of the request path's functions: createComment, and posts' countComments per event. */
  createCommentMs: number;
  countCommentsMs: number;
}

export const DEFAULTS: Assumptions = {
  cpuMicrosPerFrame: 130,
  memoryMb: 512,
  commentsPerMinute: 1,
  pageSize: 1000,
  subscriptionItemBytes: 120,
  createCommentMs: 45,
  countCommentsMs: 30,
};

export interface CommentCost {
  subscribers: number;
  /** Per million comments, USD, by part. */
  parts: Record<string, number>;
  total: number;
  /** API Gateway's per-message price alone: the frames that must be sent. */
  floor: number;
}

const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** The cost of one million comments, each delivered to `subscribers` connections. */
export const costPerMillionComments = (subscribers: number, a: Assumptions = DEFAULTS): CommentCost => {
  const million = 1e6;
  const pages = Math.max(1, Math.ceil(subscribers / a.pageSize));
  // Below one vCPU (1,769 MB) Lambda gives CPU in proportion to memory: CPU time stretches by that ratio.
  const vcpu = Math.min(1, a.memoryMb / 1769);
  const broadcastMs = (subscribers * a.cpuMicrosPerFrame) / 1000 / vcpu;
  const perComment = {
    // The write: the HTTP request, createComment, its transaction (comment put + post condition, 2 WRU
    // each), the seq counter and the outbox settle (1 WRU each), the post's read (1 RRU).
    'HTTP API request': PRICES.httpRequest,
    'Lambda, request path': PRICES.lambdaRequest + gbSeconds(a.createCommentMs, 512) * PRICES.lambdaGbSecond,
    'DynamoDB, request path': 6 * PRICES.dynamoWrite + PRICES.dynamoRead,
    // CommentCreated, once on the bus; two rule targets (posts' counter queue, the broadcaster's queue).
    EventBridge: PRICES.eventBridgeEvent,
    // Each target queue: EventBridge's send, the poller's receive and delete (batches of 10 share the
    // last two, counted here as if unbatched: the ceiling); plus send/receive/delete per continuation page.
    SQS: (2 * 3 + 3 * (pages - 1)) * PRICES.sqsRequest,
    // posts' countComments (its marker + counter transaction, 4 WRU; its idempotency record, 2 WRU) and
    // the broadcaster's idempotency record (2 WRU).
    'Lambda, consumers': 2 * PRICES.lambdaRequest + gbSeconds(a.countCommentsMs, 512) * PRICES.lambdaGbSecond,
    'DynamoDB, consumers': 8 * PRICES.dynamoWrite,
    // The fan-out: a page invocation per `pageSize` subscribers, its CPU per frame, its Query page
    // (eventually consistent: half a read unit per 4 KB).
    'Lambda, broadcaster':
      pages * PRICES.lambdaRequest + gbSeconds(broadcastMs, a.memoryMb) * PRICES.lambdaGbSecond,
    'DynamoDB, subscribers query':
      Math.ceil((subscribers * a.subscriptionItemBytes) / 4096) * 0.5 * PRICES.dynamoRead,
    'API Gateway messages': subscribers * PRICES.webSocketMessage,
    'API Gateway connection minutes': (subscribers / a.commentsPerMinute) * PRICES.connectionMinute,
  };
  const parts = Object.fromEntries(
    Object.entries(perComment).map(([name, usd]) => [name, usd * million]),
  ) as Record<string, number>;
  const total = Object.values(parts).reduce((sum, usd) => sum + usd, 0);
  return { subscribers, parts, total, floor: subscribers * PRICES.webSocketMessage * million };
};

const usd = (value: number) =>
  value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : `$${value.toFixed(2)}`;

const main = () => {
  const { values } = parseArgs({
    options: {
      'cpu-us-per-frame': { type: 'string' },
      'comments-per-minute': { type: 'string' },
      'memory-mb': { type: 'string' },
    },
  });
  const assumptions: Assumptions = {
    ...DEFAULTS,
    ...(values['cpu-us-per-frame'] ? { cpuMicrosPerFrame: Number(values['cpu-us-per-frame']) } : {}),
    ...(values['comments-per-minute'] ? { commentsPerMinute: Number(values['comments-per-minute']) } : {}),
    ...(values['memory-mb'] ? { memoryMb: Number(values['memory-mb']) } : {}),
  };
  const costs = [10, 1_000, 100_000].map((n) => costPerMillionComments(n, assumptions));
  const names = Object.keys(costs[0]?.parts ?? {});
  const width = Math.max(...names.map((name) => name.length), 'total'.length) + 2;
  const column = (text: string) => text.padStart(14);
  console.log('cost per million comments on AWS (us-east-1, USD), by subscribers per comment');
  console.log(
    `${''.padEnd(width)}${costs.map((c) => column(c.subscribers.toLocaleString('en-US'))).join('')}`,
  );
  for (const name of names) {
    console.log(`${name.padEnd(width)}${costs.map((c) => column(usd(c.parts[name] ?? 0))).join('')}`);
  }
  console.log(`${'total'.padEnd(width)}${costs.map((c) => column(usd(c.total))).join('')}`);
  console.log(`${'floor (messages alone)'.padEnd(width)}${costs.map((c) => column(usd(c.floor))).join('')}`);
  console.log(
    `${'total / floor'.padEnd(width)}${costs.map((c) => column(`${(c.total / c.floor).toFixed(2)}x`)).join('')}`,
  );
  console.log('assumptions:', JSON.stringify(assumptions));
};

if (import.meta.url === `file://${process.argv[1]}`) main();
