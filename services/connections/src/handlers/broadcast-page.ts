import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import {
  clearCorrelationId,
  dynamoDb,
  logger,
  metrics,
  once,
  setCorrelationId,
  tracer,
} from '@live-comments/shared';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type BroadcastDeps, broadcastPage } from '../broadcast/broadcast';
import { type ContinuationMessage, parseContinuation } from '../broadcast/continuation';
import { broadcastConfig } from '../config';
import { broadcastDeps } from '../side-effects';

/**
 * The continuations of large broadcasts (the fan-out queue): each message is
 * one further page of one event's subscribers on one topic, sent once per
 * page key whatever SQS redelivers, with partial batch failures.
 */
export const buildBroadcastPageHandler = (
  deps: () => BroadcastDeps = broadcastDeps,
  idempotencyTable: () => string = () => broadcastConfig().IDEMPOTENCY_TABLE,
) => {
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'pageKey', expiresAfterSeconds: 24 * 60 * 60 });
  const sendPageOnce = once(() =>
    makeIdempotent(
      async (continuation: ContinuationMessage) => {
        const { pageKey: _pageKey, ...broadcast } = continuation;
        await broadcastPage(broadcast, deps());
      },
      {
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: idempotencyTable(),
          awsSdkV3Client: dynamoDb(),
        }),
        config,
      },
    ),
  );

  const handleRecord = async (record: SQSRecord) => {
    const continuation = parseContinuation(record.body);
    setCorrelationId(continuation.correlationId);
    logger.appendKeys({ event_id: continuation.eventId, topic: continuation.topic, page: continuation.page });
    try {
      await sendPageOnce()(continuation);
    } catch (error) {
      logger.error('Broadcast page failed', { error: error as Error, messageId: record.messageId });
      throw error;
    } finally {
      logger.removeKeys(['event_id', 'topic', 'page']);
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

export const handler = buildBroadcastPageHandler();
