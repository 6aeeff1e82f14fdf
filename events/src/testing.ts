/**
 * For tests only (never bundled into a function): an event as a consumer's
 * queue receives it, built with the contract's own schema so a test cannot
 * feed a consumer a shape the producer would never publish.
 */
import { randomUUID } from 'node:crypto';
import type { DataOf, EventContract } from './contract';

export interface EventMessageOptions {
  eventId?: string;
  correlationId?: string;
  occurredAt?: string;
}

/** The EventBridge envelope of an event, as the body of the SQS message a rule target receives. */
export const eventBridgeMessage = <C extends EventContract>(
  contract: C,
  data: DataOf<C>,
  options: EventMessageOptions = {},
): string => {
  const detail = contract.detail.parse({
    version: contract.version,
    eventId: options.eventId ?? randomUUID(),
    correlationId: options.correlationId ?? 'corr-test',
    occurredAt: options.occurredAt ?? '2026-01-01T00:00:00.000Z',
    data,
  });
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': contract.detailType,
    source: contract.source,
    account: '123456789012',
    time: detail.occurredAt.replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail,
  });
};
