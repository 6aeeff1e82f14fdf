import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { type EventContract, type ParsedEvent, parseEventMessage } from '@live-comments/events';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoDb } from './clients';
import { clearCorrelationId, setCorrelationId } from './correlation';
import { logger, metrics, tracer } from './powertools';

export interface SqsConsumerOptions<M, P = unknown> {
  /** Turns a record's body into the message; throwing fails the record (after maxReceiveCount, the DLQ). */
  parse: (body: string) => M;
  /** The idempotency key: the message is handled once per key, whatever SQS or EventBridge redeliver. */
  key: (message: M) => string;
  /** The correlation id the message carries, set on every log line while it is handled. */
  correlationId: (message: M) => string;
  /** Further log keys while the message is handled. */
  logKeys?: (message: M) => Record<string, unknown>;
  /**
   * The table of the Powertools idempotency store (partition key `id`, TTL on
   * `expiration`). A failed attempt releases the key for the retry.
   */
  idempotencyTable: () => string;
  /** How long a handled key is remembered (default 24 h, beyond the queue's retention of redeliveries). */
  idempotencyTtlSeconds?: number;
  /**
   * Reads to start alongside the idempotency check instead of after it (it
   * is a write to the idempotency table, so this saves a round trip on the
   * way to the first side effect). Must have no side effects: on a duplicate
   * its result is dropped. Its promise is handed to `handle`, which awaits it.
   */
  prefetch?: (message: M) => Promise<P>;
  handle: (message: M, record: SQSRecord, prefetched?: Promise<P>) => Promise<void>;
}

/**
 * Builds an SQS consumer: Powertools BatchProcessor with partial batch
 * failures (only the failed records return to the queue), each record parsed,
 * logged under its correlation id, and handled idempotently by its key.
 */
export const sqsConsumer = <M, P = unknown>(options: SqsConsumerOptions<M, P>) => {
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: options.idempotencyTtlSeconds ?? 24 * 60 * 60,
  });
  let handleOnce:
    | ((
        idempotency: { key: string },
        message: M,
        record: SQSRecord,
        prefetched: Promise<P> | undefined,
      ) => Promise<void>)
    | undefined;

  const handleRecord = async (record: SQSRecord) => {
    const message = options.parse(record.body);
    const logKeys = options.logKeys?.(message) ?? {};
    setCorrelationId(options.correlationId(message));
    logger.appendKeys(logKeys);
    try {
      const prefetched = options.prefetch?.(message);
      // Awaited by handle; a duplicate never reaches it, and its failure must not go unhandled.
      prefetched?.catch(() => {});
      handleOnce ??= makeIdempotent(
        async (_idempotency: { key: string }, parsed: M, raw: SQSRecord, reads: Promise<P> | undefined) => {
          await options.handle(parsed, raw, reads);
        },
        {
          persistenceStore: new DynamoDBPersistenceLayer({
            tableName: options.idempotencyTable(),
            awsSdkV3Client: dynamoDb(),
          }),
          config,
        },
      );
      await handleOnce({ key: options.key(message) }, message, record, prefetched);
    } catch (error) {
      logger.error('Message handling failed', { error: error as Error, messageId: record.messageId });
      throw error;
    } finally {
      logger.removeKeys(Object.keys(logKeys));
      clearCorrelationId();
    }
  };

  const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    // One record after another: the correlation id and log keys are per record, in module-level slots.
    return processPartialResponse(event, handleRecord, processor, { context, processInParallel: false });
  };

  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
};

export interface EventConsumerOptions<Cs extends readonly EventContract[], P = unknown>
  extends Pick<
    SqsConsumerOptions<ParsedEvent<Cs[number]>, P>,
    'idempotencyTable' | 'idempotencyTtlSeconds' | 'prefetch' | 'handle'
  > {
  /** The contracts (and versions) this consumer accepts; anything else fails and ends in the DLQ. */
  contracts: Cs;
}

/**
 * An SQS consumer of EventBridge events: parsed against its contracts, handled once per event id.
 * It carries its `contracts`, against which the topology test checks the rule that feeds its queue.
 */
export const eventConsumer = <const Cs extends readonly EventContract[], P = unknown>(
  options: EventConsumerOptions<Cs, P>,
) =>
  Object.assign(
    sqsConsumer<ParsedEvent<Cs[number]>, P>({
      ...options,
      parse: (body) => parseEventMessage(options.contracts, body),
      key: (event) => event.detail.eventId,
      correlationId: (event) => event.detail.correlationId,
      logKeys: (event) => ({ event_id: event.detail.eventId, detail_type: event.detailType }),
    }),
    { contracts: options.contracts },
  );

/** Builds a scheduled (EventBridge Scheduler / cron) handler with the same Powertools wiring. */
export const scheduledHandler = (run: (context: Context) => Promise<void>) =>
  middy(async (_event: unknown, context: Context) => {
    await run(context);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
