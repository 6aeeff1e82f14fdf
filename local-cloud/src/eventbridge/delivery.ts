/**
 * Routing and delivery: an event is matched against its bus's enabled rules
 * when it is put, and handed to each matching rule's targets after PutEvents
 * has answered, as in AWS. A failed delivery is retried with the target's
 * retry policy (exponential backoff with jitter); an event that cannot be
 * delivered goes to the target's dead-letter queue, or is lost: logged as an
 * error and counted. Each rule keeps AWS's CloudWatch metrics for it
 * (MatchedEvents, Invocations, FailedInvocations, RetryInvocationAttempts,
 * InvocationsSentToDlq, InvocationsFailedToBeSentToDlq).
 */

import { type Bus, type EventEnvelope, isRecord, type Rule, type TargetSpec } from './model';

/**
 * Thrown by a target delivery. `retriable: false` mirrors AWS: a missing target
 * resource or a permission error is not retried and goes straight to the DLQ.
 */
export class TargetDeliveryError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'TargetDeliveryError';
  }
}

/** Sends one message to a target ARN (the edge delivers SQS ARNs to its queue emulator). */
export type DeliverToTarget = (
  targetArn: string,
  body: string,
  messageAttributes?: Record<string, string>,
) => Promise<void>;

/** One event handed to one target, as recorded for tests and introspection. */
export interface DeliveryRecord {
  ruleArn: string;
  targetArn: string;
  eventId: string;
  outcome: 'delivered' | 'dead-lettered' | 'dropped';
  attempts: number;
  errorCode?: string;
}

/** A rule's delivery figures, named after the AWS/Events CloudWatch metrics. */
export interface RuleMetrics {
  ruleArn: string;
  ruleName: string;
  busName: string;
  /** Events that matched the rule. */
  matchedEvents: number;
  /** Events handed to a target for good: delivered, or failed after the retry policy (retries not counted). */
  invocations: number;
  /** Invocations that failed for good (whether or not the DLQ then took the event). */
  failedInvocations: number;
  /** Retries after a failed attempt. */
  retryInvocationAttempts: number;
  invocationsSentToDlq: number;
  /** Failed invocations whose DLQ refused the event too: the event is lost. */
  invocationsFailedToBeSentToDlq: number;
}

/** An event that reached neither its target nor a DLQ (the target has none, or it refused). */
export interface LostEvent {
  ruleArn: string;
  ruleName: string;
  busName: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  detailType: string;
  /** Why the target did not take it: `CODE: message`. */
  targetError: string;
  deadLetterArn?: string;
  /** Why the DLQ did not take it; absent when the target has no DLQ. */
  deadLetterError?: string;
}

/** An event the bus routed lately, with where it went (the operator's console shows the last ones). */
export interface RoutedEvent {
  id: string;
  busName: string;
  source: string;
  detailType: string;
  /** ISO time the bus received it. */
  receivedAt: string;
  detail: unknown;
  /** Each matching rule's targets and what became of the event there (`pending` while retried). */
  targets: {
    ruleName: string;
    targetArn: string;
    outcome: DeliveryRecord['outcome'] | 'pending';
    errorCode?: string;
  }[];
}

export interface DeliveryMetrics {
  rules: RuleMetrics[];
  /** Events lost since the start or the last reset: failed to be sent to a DLQ, or failed with none. */
  lostEvents: number;
  /** The last 100 of them. */
  lost: LostEvent[];
}

/** Makes a target refuse a delivery attempt (fault injection): the error the attempt fails with. */
export type TargetRefusal = (rule: Rule, target: TargetSpec) => TargetDeliveryError | undefined;

export interface DeliveryOptions {
  deliver: DeliverToTarget;
  /** Consulted before each attempt; an error makes the attempt fail as if the target had answered it. */
  refuse?: TargetRefusal;
  /** First retry delay; doubles per attempt with jitter, up to `retryMaxDelayMs`. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Where delivery problems are reported (a lost event is an `ERROR` line; in AWS only a metric). */
  log?: (message: string) => void;
}

export interface Delivery {
  /** Matches the event against the bus's rules now and delivers it to their targets soon after. */
  route(bus: Bus, envelope: EventEnvelope): void;
  /** Resolves once every delivery started so far has been delivered, dead-lettered or dropped. */
  idle(): Promise<void>;
  readonly deliveries: readonly DeliveryRecord[];
  /** Every rule's figures since the start or the last reset. */
  metrics(): DeliveryMetrics;
  /** The last events routed (at most 100), oldest first, matched by a rule or not. */
  recentEvents(): RoutedEvent[];
  resetMetrics(): void;
  /** Ends retries and starts no more deliveries. */
  stop(): void;
}

const KEPT_LOST_EVENTS = 100;
const KEPT_RECENT_EVENTS = 100;

const errorText = (error: unknown) =>
  error instanceof TargetDeliveryError
    ? `${error.errorCode}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;

/** The body a target receives: the whole envelope, a constant Input, or the InputPath selection. */
const targetBody = (target: TargetSpec, envelope: EventEnvelope): string => {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) {
    let selected: unknown = envelope;
    for (const key of target.InputPath.replace(/^\$\.?/, '')
      .split('.')
      .filter(Boolean)) {
      selected = isRecord(selected) ? selected[key] : undefined;
    }
    return JSON.stringify(selected ?? null);
  }
  return JSON.stringify(envelope);
};

export function createDelivery(options: DeliveryOptions): Delivery {
  const { deliver } = options;
  const baseDelay = options.retryBaseDelayMs ?? 1000;
  const maxDelay = options.retryMaxDelayMs ?? 60_000;
  const log = options.log ?? ((message: string) => console.warn(`[eventbridge] ${message}`));

  const pending = new Set<Promise<void>>();
  /** Sleeping retries, woken early by stop() so nothing keeps the process alive. */
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  const deliveries: DeliveryRecord[] = [];
  let ruleMetrics = new Map<string, RuleMetrics>();
  let lost: LostEvent[] = [];
  let lostEvents = 0;
  let stopped = false;
  const recent: RoutedEvent[] = [];
  /** The recent event's entry for one rule target, updated when the delivery ends. */
  const outcomeOf = new WeakMap<TargetSpec, Map<string, RoutedEvent['targets'][number]>>();
  const settle = (
    target: TargetSpec,
    eventId: string,
    outcome: DeliveryRecord['outcome'],
    errorCode?: string,
  ) => {
    const entry = outcomeOf.get(target)?.get(eventId);
    if (!entry) return;
    entry.outcome = outcome;
    if (errorCode) entry.errorCode = errorCode;
    outcomeOf.get(target)?.delete(eventId);
  };

  const metricsOf = (rule: Rule): RuleMetrics => {
    let metrics = ruleMetrics.get(rule.arn);
    if (!metrics) {
      metrics = {
        ruleArn: rule.arn,
        ruleName: rule.name,
        busName: rule.busName,
        matchedEvents: 0,
        invocations: 0,
        failedInvocations: 0,
        retryInvocationAttempts: 0,
        invocationsSentToDlq: 0,
        invocationsFailedToBeSentToDlq: 0,
      };
      ruleMetrics.set(rule.arn, metrics);
    }
    return metrics;
  };

  /** An event that reached neither its target nor a DLQ: an error line, a count, a record. */
  const lose = (event: LostEvent) => {
    lostEvents += 1;
    lost.push(event);
    if (lost.length > KEPT_LOST_EVENTS) lost.shift();
    log(
      `ERROR event lost: rule ${event.ruleName} on bus ${event.busName}, target ${event.targetId} (${event.targetArn}), ` +
        `event ${event.eventId} (${event.detailType}): the target failed (${event.targetError})` +
        (event.deadLetterArn
          ? ` and so did its DLQ ${event.deadLetterArn} (${event.deadLetterError})`
          : ' and it has no DLQ'),
    );
  };

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });

  const deliverToTarget = async (
    rule: Rule,
    target: TargetSpec,
    envelope: EventEnvelope,
    receivedAt: number,
  ) => {
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const body = targetBody(target, envelope);
    let retries = 0;
    for (;;) {
      if (stopped) return;
      let failure: TargetDeliveryError;
      try {
        const refused = options.refuse?.(rule, target);
        if (refused) throw refused;
        await deliver(target.Arn, body);
        metricsOf(rule).invocations += 1;
        deliveries.push({
          ruleArn: rule.arn,
          targetArn: target.Arn,
          eventId: envelope.id,
          outcome: 'delivered',
          attempts: retries + 1,
        });
        settle(target, envelope.id, 'delivered');
        return;
      } catch (error) {
        failure =
          error instanceof TargetDeliveryError
            ? error
            : new TargetDeliveryError(
                'INTERNAL_ERROR',
                error instanceof Error ? error.message : String(error),
                true,
              );
      }
      if (stopped) return;
      if (!failure.retriable) {
        await deadLetter(rule, target, envelope, failure, retries, undefined);
        return;
      }
      if (retries >= maxRetries) {
        await deadLetter(rule, target, envelope, failure, retries, 'MaximumRetryAttemptsExhausted');
        return;
      }
      // Exponential backoff with jitter, like AWS (scaled down: locally nobody waits hours).
      const delay = Math.min(baseDelay * 2 ** retries, maxDelay) * (0.5 + Math.random() / 2);
      if (Date.now() + delay - receivedAt > maxAgeMs) {
        await deadLetter(rule, target, envelope, failure, retries, 'MaximumEventAgeExhausted');
        return;
      }
      retries++;
      metricsOf(rule).retryInvocationAttempts += 1;
      await sleep(delay);
    }
  };

  const deadLetter = async (
    rule: Rule,
    target: TargetSpec,
    envelope: EventEnvelope,
    failure: TargetDeliveryError,
    retries: number,
    exhausted: string | undefined,
  ) => {
    const record = {
      ruleArn: rule.arn,
      targetArn: target.Arn,
      eventId: envelope.id,
      attempts: retries + 1,
      errorCode: failure.errorCode,
    };
    const metrics = metricsOf(rule);
    metrics.invocations += 1;
    metrics.failedInvocations += 1;
    const lostEvent: LostEvent = {
      ruleArn: rule.arn,
      ruleName: rule.name,
      busName: rule.busName,
      targetId: target.Id,
      targetArn: target.Arn,
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      targetError: errorText(failure),
    };
    const dlqArn = target.DeadLetterConfig?.Arn;
    if (!dlqArn) {
      lose(lostEvent);
      deliveries.push({ ...record, outcome: 'dropped' });
      settle(target, envelope.id, 'dropped', failure.errorCode);
      return;
    }
    const attributes: Record<string, string> = {
      RULE_ARN: rule.arn,
      TARGET_ARN: target.Arn,
      ERROR_CODE: failure.errorCode,
      ERROR_MESSAGE: failure.message,
      RETRY_ATTEMPTS: String(retries),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
    };
    try {
      await deliver(dlqArn, JSON.stringify(envelope), attributes);
      metricsOf(rule).invocationsSentToDlq += 1;
      deliveries.push({ ...record, outcome: 'dead-lettered' });
      settle(target, envelope.id, 'dead-lettered', failure.errorCode);
    } catch (error) {
      metricsOf(rule).invocationsFailedToBeSentToDlq += 1;
      lose({ ...lostEvent, deadLetterArn: dlqArn, deadLetterError: errorText(error) });
      deliveries.push({ ...record, outcome: 'dropped' });
      settle(target, envelope.id, 'dropped', failure.errorCode);
    }
  };

  return {
    route(bus, envelope) {
      const receivedAt = Date.now();
      const routed: RoutedEvent = {
        id: envelope.id,
        busName: bus.name,
        source: envelope.source,
        detailType: envelope['detail-type'],
        receivedAt: new Date(receivedAt).toISOString(),
        detail: envelope.detail,
        targets: [],
      };
      recent.push(routed);
      if (recent.length > KEPT_RECENT_EVENTS) recent.shift();
      for (const rule of bus.rules.values()) {
        if (rule.state !== 'ENABLED' || !rule.compiled?.matches(envelope)) continue;
        metricsOf(rule).matchedEvents += 1;
        for (const target of rule.targets.values()) {
          const entry: RoutedEvent['targets'][number] = {
            ruleName: rule.name,
            targetArn: target.Arn,
            outcome: 'pending',
          };
          routed.targets.push(entry);
          const pendingOfTarget = outcomeOf.get(target) ?? new Map();
          outcomeOf.set(target, pendingOfTarget.set(envelope.id, entry));
          track(
            new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
              deliverToTarget(rule, target, envelope, receivedAt),
            ),
          );
        }
      }
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    get deliveries() {
      return deliveries;
    },
    recentEvents: () =>
      recent.map((event) => ({ ...event, targets: event.targets.map((one) => ({ ...one })) })),
    metrics() {
      return {
        rules: [...ruleMetrics.values()].map((metrics) => ({ ...metrics })),
        lostEvents,
        lost: [...lost],
      };
    },
    resetMetrics() {
      ruleMetrics = new Map();
      lost = [];
      lostEvents = 0;
    },
    stop() {
      stopped = true;
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
    },
  };
}
