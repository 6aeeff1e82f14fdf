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

export interface EventConsumerOptions<Cs extends readonly EventContract[]> {
  /** The contracts (and versions) this consumer accepts; anything else fails and ends in the DLQ. */
  contracts: Cs;
  /**
   * The table of the Powertools idempotency store (partition key `id`, TTL on
   * `expiration`). Each event id is then handled once, whatever SQS or
   * EventBridge redeliver; a failed attempt releases it for the retry.
   */
  idempotencyTable: () => string;
  /** How long a handled event id is remembered (default 24 h, beyond the queue's retention of redeliveries). */
  idempotencyTtlSeconds?: number;
  handle: (event: ParsedEvent<Cs[number]>, record: SQSRecord) => Promise<void>;
}

/**
 * Builds an SQS consumer of EventBridge events: Powertools BatchProcessor with
 * partial batch failures (only the failed records return to the queue), each
 * record parsed against the consumer's contracts, logged under the event's
 * correlation id, and handled idempotently by its event id.
 */
export const eventConsumer = <const Cs extends readonly EventContract[]>(
  options: EventConsumerOptions<Cs>,
) => {
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'eventId',
    expiresAfterSeconds: options.idempotencyTtlSeconds ?? 24 * 60 * 60,
  });
  let handleOnce:
    | ((detail: { eventId: string }, event: ParsedEvent<Cs[number]>, record: SQSRecord) => Promise<void>)
    | undefined;

  const handleRecord = async (record: SQSRecord) => {
    const event = parseEventMessage(options.contracts, record.body);
    setCorrelationId(event.detail.correlationId);
    logger.appendKeys({ event_id: event.detail.eventId, detail_type: event.detailType });
    try {
      handleOnce ??= makeIdempotent(
        async (_detail: { eventId: string }, parsed: ParsedEvent<Cs[number]>, raw: SQSRecord) => {
          await options.handle(parsed, raw);
        },
        {
          persistenceStore: new DynamoDBPersistenceLayer({
            tableName: options.idempotencyTable(),
            awsSdkV3Client: dynamoDb(),
          }),
          config,
        },
      );
      await handleOnce(event.detail, event, record);
    } catch (error) {
      logger.error('Event handling failed', { error: error as Error, messageId: record.messageId });
      throw error;
    } finally {
      logger.removeKeys(['event_id', 'detail_type']);
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

/** Builds a scheduled (EventBridge Scheduler / cron) handler with the same Powertools wiring. */
export const scheduledHandler = (run: (context: Context) => Promise<void>) =>
  middy(async (_event: unknown, context: Context) => {
    await run(context);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer))
    .use(logMetrics(metrics));
