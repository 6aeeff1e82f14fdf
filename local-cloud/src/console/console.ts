import type { Message } from '@aws-sdk/client-sqs';
import { describeDeadLetter } from '../../../scripts/dead-letters/dead-letters';
import type { DeliveryMetrics, RoutedEvent } from '../eventbridge/delivery';
import type { HttpRequestRecord } from '../gateways/http-gateway';
import type { WebSocketGatewayMetrics } from '../gateways/websocket-gateway';
import type { FunctionMetrics } from '../lambda';
import type { InvokeResult } from '../lambda/invoker';
import type { LogEntry } from '../logs';
import type { JournalQuery, LogJournal } from '../logs/journal';
import type { Topology } from '../topology/model';
import { diffStates } from './delta';
import { createDurations } from './durations';
import { createEmfSeries, parseEmf } from './emf';
import type {
  BusEventRow,
  ConsoleDelta,
  ConsoleState,
  DashboardChart,
  DeadLetterQueueRow,
  FunctionRow,
  QueueRow,
  RealtimeState,
  RedriveAnswer,
  RuleRow,
} from './model';
import { correlationOfEvent, logLineRow, pathOf } from './path';

/**
 * The operator's console's data: what the local cloud counts (functions,
 * rules, the WebSocket gateway), what its queues hold, the events on the
 * bus, the metrics the functions emit and their logs, gathered about once a
 * second while a page watches, and sent to each page as a delta of what it
 * was sent last.
 */

/** A queue as the console reads it (non-destructively: no receive, no receive count). */
export interface QueueContents {
  name: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** Epoch ms the oldest message in the queue was sent; absent when it is empty. */
  oldestSentAt?: number;
  /** The first messages waiting, as SQS's ReceiveMessage would return them (for DLQs). */
  messages: Message[];
}

/** Where the console reads from: ports, so the unit tests give fakes. */
export interface ConsoleSources {
  topology: Topology;
  lambda(): Record<string, FunctionMetrics>;
  eventBridge(): DeliveryMetrics;
  recentEvents(): RoutedEvent[];
  webSocket(): WebSocketGatewayMetrics;
  openConnections(): number;
  /** Every queue of the topology. */
  queues(): Promise<QueueContents[]>;
  /** Subscriptions per topic, most first. */
  topics(): Promise<{ topic: string; subscribers: number }[]>;
  journal: LogJournal;
  /** The stacks' dashboard charts of the functions' metrics (read once). */
  dashboards?: () => Promise<DashboardChart[]>;
  /** Moves a DLQ's messages back, as `npm run dlq -- redrive <queue>` does. */
  redrive(queue: string): Promise<RedriveAnswer>;
}

/** What a page asked to follow: the log lines and path of one request, or one function's lines. */
export interface ConsoleFilter {
  correlationId?: string;
  functions?: string[];
}

export type ConsoleMessage =
  | { type: 'snapshot'; state: ConsoleState }
  | { type: 'delta'; delta: ConsoleDelta };

export interface OperatorConsole {
  /** Fed every function log line (the EMF metrics are read from them). */
  observeLog(entry: LogEntry): void;
  /** Fed every invocation's result (durations). */
  observeInvocation(functionKey: string, result: InvokeResult): void;
  /** Fed every HTTP request a function answered (the start of a request's path). */
  observeRequest(request: HttpRequestRecord): void;
  /** The whole state now, for one filter. */
  state(filter?: ConsoleFilter): Promise<ConsoleState>;
  /** Sends a snapshot, then a delta about every `intervalMs` (what changed); returns the unsubscribe. */
  watch(filter: ConsoleFilter, send: (message: ConsoleMessage) => void): () => void;
  redrive(queue: string): Promise<RedriveAnswer>;
  stop(): void;
}

const SHOWN_EVENTS = 30;
const SHOWN_TOPICS = 25;
const SHOWN_LETTERS = 20;
const FILTERED_LINES = 300;
const KEPT_REQUESTS = 500;

const queueNameOf = (arn: string) => arn.split(':').at(-1) ?? arn;

/** Which queues are DLQs, and of what: a queue's RedrivePolicy or a rule target's DeadLetterConfig. */
export const deadLetterSources = (topology: Topology): Map<string, string[]> => {
  const sources = new Map<string, string[]>();
  const add = (dlqArn: string, source: string) => {
    const name = queueNameOf(dlqArn);
    sources.set(name, [...(sources.get(name) ?? []), source]);
  };
  for (const queue of topology.queues) {
    if (queue.redrive) add(queue.redrive.deadLetterTargetArn, `queue ${queue.name}`);
  }
  for (const rule of topology.rules) {
    for (const target of rule.targets) {
      if (target.deadLetterArn) add(target.deadLetterArn, `rule ${rule.name} -> ${queueNameOf(target.arn)}`);
    }
  }
  return sources;
};

export const createOperatorConsole = (
  sources: ConsoleSources,
  options: { intervalMs?: number; now?: () => number } = {},
): OperatorConsole => {
  const intervalMs = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const { topology } = sources;
  const durations = createDurations();
  const emf = createEmfSeries();
  const dlqSources = deadLetterSources(topology);
  const ruleTargets = new Map(
    topology.rules.map((rule) => [rule.name, rule.targets.map((target) => queueNameOf(target.arn))]),
  );
  const requests: HttpRequestRecord[] = [];
  let dashboards: Promise<DashboardChart[]> | undefined;
  let frames = { at: now(), sent: sources.webSocket().framesSent, perSecond: 0 };

  const functionRows = (): Record<string, FunctionRow> => {
    const figures = sources.lambda();
    const rows: Record<string, FunctionRow> = {};
    for (const fn of topology.functions) {
      const metrics = figures[fn.key];
      const spread = durations.percentiles(fn.key, now());
      rows[fn.key] = {
        key: fn.key,
        service: fn.service,
        invocations: metrics?.invocations ?? 0,
        errors: metrics?.errors ?? 0,
        throttles: metrics?.throttles ?? 0,
        coldStarts: metrics?.coldStarts ?? 0,
        concurrency: metrics?.concurrentExecutions ?? 0,
        ...(spread ? { p50Ms: spread.p50Ms, p99Ms: spread.p99Ms } : {}),
      };
    }
    return rows;
  };

  const queueRows = async () => {
    const queues: Record<string, QueueRow> = {};
    const deadLetters: Record<string, DeadLetterQueueRow> = {};
    const at = now();
    for (const queue of await sources.queues()) {
      const feeds = dlqSources.get(queue.name);
      queues[queue.name] = {
        name: queue.name,
        visible: queue.visible,
        inFlight: queue.inFlight,
        delayed: queue.delayed,
        oldestAgeSeconds:
          queue.oldestSentAt === undefined ? 0 : Math.max(0, Math.floor((at - queue.oldestSentAt) / 1000)),
        ...(feeds ? { deadLetterFor: feeds } : {}),
      };
      if (!feeds) continue;
      deadLetters[queue.name] = {
        name: queue.name,
        waiting: queue.visible + queue.inFlight + queue.delayed,
        sources: feeds,
        letters: queue.messages.slice(0, SHOWN_LETTERS).map((message) => {
          const letter = describeDeadLetter(message);
          return {
            messageId: letter.messageId,
            receiveCount: letter.receiveCount,
            ...(letter.sentAt ? { sentAt: letter.sentAt } : {}),
            ...(letter.event?.type ? { eventType: letter.event.type } : {}),
            ...(letter.event?.eventId ? { eventId: letter.event.eventId } : {}),
            ...(letter.event?.correlationId ? { correlationId: letter.event.correlationId } : {}),
            ...(letter.error?.code ? { errorCode: letter.error.code } : {}),
            ...(letter.error?.message ? { errorMessage: letter.error.message } : {}),
          };
        }),
      };
    }
    return { queues, deadLetters };
  };

  const ruleRows = (): Record<string, RuleRow> => {
    const counted = new Map(sources.eventBridge().rules.map((rule) => [rule.ruleName, rule]));
    const rows: Record<string, RuleRow> = {};
    for (const rule of topology.rules) {
      const metrics = counted.get(rule.name);
      rows[rule.name] = {
        name: rule.name,
        busName: rule.busName,
        targets: ruleTargets.get(rule.name) ?? [],
        matched: metrics?.matchedEvents ?? 0,
        invocations: metrics?.invocations ?? 0,
        failed: metrics?.failedInvocations ?? 0,
        sentToDlq: metrics?.invocationsSentToDlq ?? 0,
      };
    }
    return rows;
  };

  const eventRows = (): BusEventRow[] =>
    sources
      .recentEvents()
      .map((event): BusEventRow => {
        const correlationId = correlationOfEvent(event.detail);
        return {
          id: event.id,
          busName: event.busName,
          source: event.source,
          detailType: event.detailType,
          receivedAt: event.receivedAt,
          ...(correlationId ? { correlationId } : {}),
          detail: event.detail,
          targets: event.targets.map((target) => ({
            ruleName: target.ruleName,
            target: queueNameOf(target.targetArn),
            outcome: target.outcome,
            ...(target.errorCode ? { errorCode: target.errorCode } : {}),
          })),
        };
      })
      .reverse();

  const realtime = async (): Promise<RealtimeState> => {
    const counters = sources.webSocket();
    const at = now();
    const elapsed = (at - frames.at) / 1000;
    // Counters reset (resetMetrics) count from zero again.
    const sent = counters.framesSent >= frames.sent ? counters.framesSent - frames.sent : counters.framesSent;
    if (elapsed >= 0.5) frames = { at, sent: counters.framesSent, perSecond: Math.round(sent / elapsed) };
    return {
      openConnections: sources.openConnections(),
      framesSent: counters.framesSent,
      framesPerSecond: frames.perSecond,
      messagesReceived: counters.messagesReceived,
      topics: (await sources.topics()).slice(0, SHOWN_TOPICS),
    };
  };

  /** Everything but the filtered parts: computed once per tick for every page. */
  const shared = async (): Promise<Omit<ConsoleState, 'logs' | 'path'>> => {
    dashboards ??= sources.dashboards?.().catch(() => []) ?? Promise.resolve([]);
    const [queueParts, realtimeState, charts] = await Promise.all([queueRows(), realtime(), dashboards]);
    return {
      at: now(),
      functions: functionRows(),
      ...queueParts,
      rules: ruleRows(),
      events: eventRows(),
      realtime: realtimeState,
      metrics: emf.series(now()),
      dashboards: charts,
    };
  };

  const filtered = (base: Omit<ConsoleState, 'logs' | 'path'>, filter: ConsoleFilter): ConsoleState => {
    if (!filter.correlationId && !filter.functions?.length)
      return { ...base, events: base.events.slice(0, SHOWN_EVENTS), logs: [], path: [] };
    const query: JournalQuery = { limit: FILTERED_LINES };
    if (filter.correlationId) query.correlationId = filter.correlationId;
    if (filter.functions?.length) query.functions = filter.functions;
    const { lines } = sources.journal.query(query);
    const { correlationId } = filter;
    const path = correlationId
      ? pathOf(
          filter.functions?.length ? sources.journal.query({ correlationId }).lines : lines,
          base.events.filter((event) => event.correlationId === correlationId),
          requests.filter((request) => request.correlationId === correlationId),
        )
      : [];
    return { ...base, events: base.events.slice(0, SHOWN_EVENTS), logs: lines.map(logLineRow), path };
  };

  const watchers = new Set<{
    filter: ConsoleFilter;
    send: (message: ConsoleMessage) => void;
    last?: ConsoleState;
  }>();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;

  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      const base = await shared();
      for (const watcher of watchers) {
        const next = filtered(base, watcher.filter);
        // A delta every tick, even an empty one: the page's charts move on with the time.
        if (!watcher.last) watcher.send({ type: 'snapshot', state: next });
        else watcher.send({ type: 'delta', delta: diffStates(watcher.last, next) });
        watcher.last = next;
      }
    } finally {
      ticking = false;
    }
  };

  const run = () => {
    tick().catch(() => {
      // A read that failed (the edge stopping) is tried again on the next tick.
    });
  };

  return {
    observeLog(entry) {
      if (entry.json && '_aws' in entry.json) for (const datum of parseEmf(entry.json)) emf.record(datum);
    },
    observeInvocation(functionKey, result) {
      if (result.ok || !('throttled' in result && result.throttled))
        durations.record(functionKey, result.durationMs);
    },
    observeRequest(request) {
      requests.push(request);
      if (requests.length > KEPT_REQUESTS) requests.shift();
    },
    async state(filter = {}) {
      return filtered(await shared(), filter);
    },
    watch(filter, send) {
      const watcher = { filter, send };
      watchers.add(watcher);
      run();
      if (!timer) {
        timer = setInterval(run, intervalMs);
        timer.unref();
      }
      return () => {
        watchers.delete(watcher);
        if (watchers.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    redrive: (queue) => sources.redrive(queue),
    stop() {
      watchers.clear();
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
};
