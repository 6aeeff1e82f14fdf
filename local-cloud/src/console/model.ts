/**
 * What the operator's console shows, as the server sends it and the page
 * reads it (imported by both: no Node.js imports here). The stream sends one
 * `snapshot` (a whole ConsoleState), then a `delta` about every second with
 * only what changed (see delta.ts).
 */

/** One function's figures, named after Lambda's CloudWatch metrics. */
export interface FunctionRow {
  key: string;
  service: string;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  /** Executions running now. */
  concurrency: number;
  /** Over the last minute's invocations; absent with none. */
  p50Ms?: number;
  p99Ms?: number;
}

export interface QueueRow {
  name: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** Seconds since the oldest message still in the queue was sent (CloudWatch's ApproximateAgeOfOldestMessage). */
  oldestAgeSeconds: number;
  /** The queue whose dead letters this one takes, or the rule target's; absent for a queue that is no DLQ. */
  deadLetterFor?: string[];
}

/** A dead letter as an operator reads it (the same description `npm run dlq -- show` prints). */
export interface DeadLetterRow {
  messageId: string;
  receiveCount: number;
  sentAt?: string;
  eventType?: string;
  eventId?: string;
  correlationId?: string;
  /** EventBridge's ERROR_CODE and ERROR_MESSAGE, for a rule target's DLQ. */
  errorCode?: string;
  errorMessage?: string;
}

export interface DeadLetterQueueRow {
  name: string;
  waiting: number;
  /** Where its messages came from: `queue X` or `rule R -> target`. */
  sources: string[];
  /** The first ones waiting (at most 20). */
  letters: DeadLetterRow[];
}

export interface RuleRow {
  name: string;
  busName: string;
  targets: string[];
  matched: number;
  invocations: number;
  failed: number;
  sentToDlq: number;
}

export interface BusEventRow {
  id: string;
  busName: string;
  source: string;
  detailType: string;
  receivedAt: string;
  correlationId?: string;
  detail: unknown;
  targets: { ruleName: string; target: string; outcome: string; errorCode?: string }[];
}

export interface RealtimeState {
  openConnections: number;
  framesSent: number;
  framesPerSecond: number;
  messagesReceived: number;
  topics: { topic: string; subscribers: number }[];
}

/** One series of a metric the functions emit (EMF): a metric name and one set of dimension values. */
export interface MetricSeries {
  key: string;
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  /** `[epoch second, value]`: the sum of the second's values for a count, else their average. */
  points: [number, number][];
}

/** A chart of a stack's CloudWatch dashboard that shows metrics the functions emit. */
export interface DashboardChart {
  service: string;
  title: string;
  /** Each metric's series key (as MetricSeries.key) and the widget's label for it. */
  metrics: { key: string; name: string; label: string }[];
}

/** One step of a request's path through the system, in time order. */
export interface PathStep {
  kind: 'invocation' | 'event' | 'queue' | 'frames';
  at: string;
  /** What the step is: the function key, the event type, the queue name, the topic. */
  name: string;
  /** A short account: `4 log lines`, `delivered`, `2 frames delivered`. */
  detail: string;
  /** An ERROR line, or an event that did not reach its target. */
  failed?: boolean;
}

export interface LogLineRow {
  seq: number;
  time: string;
  function: string;
  level?: string;
  message: string;
  correlationId?: string;
}

export interface ConsoleState {
  /** Epoch ms of this state. */
  at: number;
  functions: Record<string, FunctionRow>;
  queues: Record<string, QueueRow>;
  deadLetters: Record<string, DeadLetterQueueRow>;
  rules: Record<string, RuleRow>;
  /** Newest first, at most 30. */
  events: BusEventRow[];
  realtime: RealtimeState;
  metrics: Record<string, MetricSeries>;
  /** The dashboards' charts of those metrics, to lay them out the same way. */
  dashboards: DashboardChart[];
  /** Set when the stream was opened with a correlation id or a function: the log lines that match. */
  logs: LogLineRow[];
  /** Set when the stream was opened with a correlation id: that request's path. */
  path: PathStep[];
}

/** The keyed sections: a delta carries the rows that changed and the keys that went. */
export const KEYED_SECTIONS = ['functions', 'queues', 'deadLetters', 'rules'] as const;
export type KeyedSection = (typeof KEYED_SECTIONS)[number];

export interface ConsoleDelta {
  at: number;
  set?: Partial<{ [K in KeyedSection]: ConsoleState[K] }>;
  removed?: Partial<Record<KeyedSection, string[]>>;
  /** Replaced whole when they changed. */
  events?: BusEventRow[];
  realtime?: RealtimeState;
  path?: PathStep[];
  dashboards?: DashboardChart[];
  /** New series whole; for known ones only the points after those already sent. */
  metrics?: Record<string, MetricSeries>;
  /** Lines after those already sent. */
  logs?: LogLineRow[];
}

/** What `POST /_local/console/redrive` answers. */
export interface RedriveAnswer {
  queue: string;
  moved: number;
  failed: number;
  destination: string;
}
