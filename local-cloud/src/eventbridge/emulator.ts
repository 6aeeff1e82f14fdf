/**
 * An in-memory EventBridge: buses, rules, targets, PutEvents with pattern
 * matching, and asynchronous delivery with the target's retry policy and
 * dead-letter queue. It speaks the AWSEvents JSON 1.1 operations through
 * `handle(operation, input)`; the edge turns HTTP into that call.
 *
 * Three parts: the API and its validation (api.ts) over the buses, rules and
 * targets (buses.ts), and routing and delivery (delivery.ts).
 */

import { randomUUID } from 'node:crypto';
import { createOperations } from './api';
import { createBuses, type RuleInput } from './buses';
import {
  createDelivery,
  type DeliverToTarget,
  type DeliveryMetrics,
  type DeliveryRecord,
  type RoutedEvent,
  type TargetRefusal,
} from './delivery';
import { EventBridgeError, isRecord, type TargetSpec } from './model';

export interface EventBridgeOptions {
  region: string;
  accountId: string;
  deliver: DeliverToTarget;
  /** Fault injection: makes a target refuse delivery attempts (retried, then dead-lettered). */
  refuse?: TargetRefusal;
  now?: () => Date;
  newId?: () => string;
  /** First retry delay; doubles per attempt with jitter, up to `retryMaxDelayMs`. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Where delivery problems are reported (a lost event is an `ERROR` line; in AWS only a metric). */
  log?: (message: string) => void;
}

export interface EventBridgeEmulator {
  handle(operation: string, input: unknown): Promise<unknown>;
  readonly operations: readonly string[];
  createEventBus(name: string): string;
  putRule(input: RuleInput): string;
  putTargets(rule: string, busName: string | undefined, targets: TargetSpec[]): void;
  /** Resolves once every delivery started so far has been delivered, dead-lettered or dropped. */
  idle(): Promise<void>;
  readonly deliveries: readonly DeliveryRecord[];
  /** Every rule's delivery figures (AWS/Events metrics) and the events lost, since the start or a reset. */
  metrics(): DeliveryMetrics;
  /** The last events put on any bus, with each matching rule target's outcome. */
  recentEvents(): RoutedEvent[];
  resetMetrics(): void;
  stop(): void;
}

export function createEventBridge(options: EventBridgeOptions): EventBridgeEmulator {
  const { region, accountId } = options;
  const buses = createBuses({ region, accountId });
  const delivery = createDelivery(options);
  const operations = createOperations({
    region,
    accountId,
    buses,
    route: delivery.route,
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
  });

  return {
    operations: Object.keys(operations),
    async handle(operation, input) {
      const handler = operations[operation];
      if (!handler) {
        throw new EventBridgeError('UnknownOperationException', `Operation ${operation} is not supported.`);
      }
      return handler(isRecord(input) ? input : {});
    },
    createEventBus: buses.create,
    putRule: buses.putRule,
    putTargets: buses.putTargets,
    idle: delivery.idle,
    get deliveries() {
      return delivery.deliveries;
    },
    metrics: delivery.metrics,
    recentEvents: delivery.recentEvents,
    resetMetrics: delivery.resetMetrics,
    stop: delivery.stop,
  };
}
