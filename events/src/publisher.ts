import { randomUUID } from 'node:crypto';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { DataOf, DetailOf, EventContract } from './contract';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

export interface PublishOptions {
  /** Keep the same id when republishing the same fact (outbox sweeps, retries). */
  eventId?: string;
  correlationId: string;
  occurredAt?: string;
  /** ARNs or ids of the resources the event is about. */
  resources?: string[];
}

export interface EventToPublish<C extends EventContract = EventContract> {
  contract: C;
  data: DataOf<C>;
  options: PublishOptions;
}

export class EventPublishError extends Error {
  override name = 'EventPublishError';
  constructor(
    message: string,
    readonly failures: { eventId: string; errorCode?: string; errorMessage?: string }[],
  ) {
    super(message);
  }
}

export interface PublisherOptions {
  client: EventBridgeClient;
  busName: string;
  /** Attempts for entries that PutEvents reports as failed (throttling, internal errors). */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Publisher {
  publish<C extends EventContract>(
    contract: C,
    data: DataOf<C>,
    options: PublishOptions,
  ): Promise<DetailOf<C>>;
  publishAll(events: EventToPublish[]): Promise<DetailOf<EventContract>[]>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A typed EventBridge publisher. The detail is validated against its contract
 * before it leaves the process, and PutEvents' per-entry failures (which do not
 * throw) are retried with jittered backoff; entries still failing are reported
 * in an EventPublishError.
 */
/**
 * The detail of an event as it is published, validated against its contract:
 * the producer's event id (new unless republishing), correlation id and time.
 */
export const detailOf = <C extends EventContract>({
  contract,
  data,
  options,
}: EventToPublish<C>): DetailOf<C> =>
  contract.detail.parse({
    version: contract.version,
    eventId: options.eventId ?? randomUUID(),
    correlationId: options.correlationId,
    occurredAt: options.occurredAt ?? new Date().toISOString(),
    data,
  }) as DetailOf<C>;

export const createPublisher = ({
  client,
  busName,
  maxAttempts = 4,
  baseDelayMs = 50,
  sleep = delay,
}: PublisherOptions): Publisher => {
  const toEntry = ({ contract, data, options }: EventToPublish) => {
    const detail = detailOf({ contract, data, options }) as DetailOf<EventContract>;
    const entry: PutEventsRequestEntry = {
      EventBusName: busName,
      Source: contract.source,
      DetailType: contract.detailType,
      Detail: JSON.stringify(detail),
      Time: new Date(detail.occurredAt),
      ...(options.resources ? { Resources: options.resources } : {}),
    };
    return { detail, entry };
  };

  const sendChunk = async (entries: { detail: DetailOf<EventContract>; entry: PutEventsRequestEntry }[]) => {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const response = await client.send(new PutEventsCommand({ Entries: pending.map((e) => e.entry) }));
      if (!response.FailedEntryCount) return;
      // Results are positional: the i-th result belongs to the i-th entry.
      const failed = pending.filter((_, index) => response.Entries?.[index]?.ErrorCode);
      if (attempt >= maxAttempts || failed.length === 0) {
        throw new EventPublishError(
          `PutEvents failed for ${response.FailedEntryCount} of ${pending.length} entries`,
          pending.flatMap((e, index) => {
            const result = response.Entries?.[index];
            if (!result?.ErrorCode) return [];
            return [
              { eventId: e.detail.eventId, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage },
            ];
          }),
        );
      }
      pending = failed;
      await sleep(Math.random() * baseDelayMs * 2 ** attempt);
    }
  };

  const publishAll = async (events: EventToPublish[]) => {
    const prepared = events.map(toEntry);
    for (let start = 0; start < prepared.length; start += MAX_ENTRIES_PER_CALL) {
      await sendChunk(prepared.slice(start, start + MAX_ENTRIES_PER_CALL));
    }
    return prepared.map((p) => p.detail);
  };

  return {
    publish: async (contract, data, options) => {
      const [detail] = await publishAll([{ contract, data, options } as EventToPublish]);
      return detail as DetailOf<typeof contract>;
    },
    publishAll,
  };
};
