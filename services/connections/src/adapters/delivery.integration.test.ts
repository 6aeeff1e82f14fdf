import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delay } from '@live-comments/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type BroadcastDeps,
  broadcastPage,
  DEFAULT_BROADCAST_POLICY,
  type PageOutcome,
  startInvocation,
} from '../domain/broadcast';
import { continuationMessageOf, parseContinuation, type TopicBroadcast } from '../domain/continuation';
import type { ContinuationQueue } from '../domain/ports';
import { createConnectionsApi } from './connections-api';
import { createFrameSender } from './frame-sender';

/**
 * The broadcaster's sends over real HTTP, against a stand-in for
 * `@connections` that is as strict as AWS where it matters: an account limit
 * (token bucket, 429 LimitExceededException beyond it), a fraction of calls
 * answering 500, and closed connections answering 410.
 */
const LIMIT_PER_SECOND = 400;
const BURST = 40;
/** Every 20th call within the limit answers 500: 5 %. */
const FAILING_EVERY = 20;

let server: Server;
let endpoint: string;
const accepted = new Map<string, number>();
const counts = { calls: 0, throttled: 0, failed: 0, gone: 0 };

beforeAll(async () => {
  let tokens = BURST;
  let at = Date.now();
  let withinLimit = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      counts.calls++;
      const now = Date.now();
      tokens = Math.min(BURST, tokens + ((now - at) * LIMIT_PER_SECOND) / 1000);
      at = now;
      const connectionId = decodeURIComponent(req.url?.split('/@connections/')[1] ?? '');
      if (tokens < 1) {
        counts.throttled++;
        res.writeHead(429, {
          'x-amzn-errortype': 'LimitExceededException',
          'content-type': 'application/json',
        });
        res.end('{"message":"Too Many Requests"}');
        return;
      }
      tokens -= 1;
      if (++withinLimit % FAILING_EVERY === 0) {
        counts.failed++;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal server error"}');
      } else if (connectionId.endsWith('-gone=')) {
        counts.gone++;
        res.writeHead(410, { 'x-amzn-errortype': 'GoneException', 'content-type': 'application/json' });
        res.end('{"message":null}');
      } else {
        accepted.set(connectionId, (accepted.get(connectionId) ?? 0) + 1);
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a broadcast against a throttling, failing @connections over HTTP', () => {
  it('delivers every frame once, through delayed continuations of what each invocation could not send', async () => {
    const subscribers = Array.from(
      { length: 1200 },
      (_, index) => `conn-${index}${index % 100 === 7 ? '-gone' : ''}=`,
    );
    const queue: { body: string; delaySeconds: number }[] = [];
    const continueLater: ContinuationQueue = async (next: TopicBroadcast, options) => {
      queue.push({
        body: JSON.stringify(continuationMessageOf(next)),
        delaySeconds: options?.delaySeconds ?? 0,
      });
    };
    const pruned: string[] = [];
    const deps: BroadcastDeps = {
      subscriptions: {
        subscribers: async () => ({ connectionIds: subscribers }),
      },
      connections: {
        close: async (connectionId) => {
          pruned.push(connectionId);
          return true;
        },
      },
      sendFrame: createFrameSender({
        api: createConnectionsApi({
          endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
          maxSockets: 64,
          timeoutMs: 3_000,
        }),
      }),
      continueLater,
      metrics: { addMetric: vi.fn() },
      now: Date.now,
      sleep: delay,
      pageSize: 1200,
      concurrency: 64,
      policy: DEFAULT_BROADCAST_POLICY,
    };
    const occurredAt = new Date().toISOString();
    const started = Date.now();
    const outcomes: PageOutcome[] = [];
    // One execution environment: each invocation starts at the rate the previous one left.
    let invocation = startInvocation(deps, DEFAULT_BROADCAST_POLICY.budgetMarginMs + 1_500);

    // The first page, in an invocation with 1.5 s to send (the margin kept before its timeout).
    outcomes.push(
      await broadcastPage(deps, {
        broadcast: {
          eventId: 'event-1',
          correlationId: 'corr-1',
          occurredAt,
          firstSeenAt: occurredAt,
          topic: 'feed',
          frame: '{"type":"comment.created","topic":"feed","eventId":"event-1","data":{}}',
          page: 0,
        },
        invocation,
      }),
    );
    expect(queue.length).toBeGreaterThan(0);
    // Then each continuation as the fan-out queue hands it over (its delay shortened to a tenth).
    for (let handled = 0; handled < queue.length; handled++) {
      const { body, delaySeconds } = queue[handled] as (typeof queue)[number];
      expect(delaySeconds).toBeGreaterThanOrEqual(1);
      await delay(delaySeconds * 100);
      const { pageKey: _pageKey, ...broadcast } = parseContinuation(body);
      invocation = startInvocation(deps, DEFAULT_BROADCAST_POLICY.budgetMarginMs + 1_500, invocation);
      outcomes.push(await broadcastPage(deps, { broadcast, invocation }));
    }

    const open = subscribers.filter((id) => !id.endsWith('-gone='));
    expect([...accepted.keys()].sort()).toEqual([...open].sort());
    expect([...accepted.values()].every((times) => times === 1)).toBe(true);
    expect(pruned.sort()).toEqual(subscribers.filter((id) => id.endsWith('-gone=')).sort());
    const total = (key: keyof PageOutcome) => outcomes.reduce((sum, outcome) => sum + outcome[key], 0);
    expect(total('delivered')).toBe(open.length);
    expect(total('abandoned')).toBe(0);
    expect(total('throttled')).toBe(counts.throttled);
    expect(counts.failed).toBeGreaterThan(0);
    expect(total('continued')).toBeGreaterThan(0);
    // Paced to the limit: hardly faster than the bucket allows, and not many 429s per frame.
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThan((counts.calls - counts.throttled - BURST) / LIMIT_PER_SECOND);
    expect(counts.throttled).toBeLessThan(subscribers.length * 0.2);
    console.log(
      `1200 frames at ${LIMIT_PER_SECOND}/s: ${seconds.toFixed(2)} s, ${outcomes.length} invocations, ` +
        `${counts.calls} calls (${counts.throttled} 429, ${counts.failed} 500, ${counts.gone} 410)`,
    );
  });
});
