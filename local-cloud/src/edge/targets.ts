/**
 * EventBridge target delivery into the local SQS, in process. Errors are
 * classified as AWS does: a missing queue (or a target type the local cloud
 * cannot reach) is not retried and goes straight to the target's DLQ; a
 * failure of the queue service itself is retried with the target's policy.
 * Queue policies are not evaluated: locally the bus may always send.
 */

import { type DeliverToTarget, TargetDeliveryError } from '../eventbridge/delivery';
import { SqsCallError, type SqsService } from '../sqs/sqs';

export function deliverToSqs(sqs: SqsService, scope: { region: string; accountId: string }): DeliverToTarget {
  return async (targetArn, body, messageAttributes) => {
    const match = /^arn:aws:sqs:([^:]+):([^:]+):(.+)$/.exec(targetArn);
    if (!match) {
      throw new TargetDeliveryError(
        'NO_RESOURCE',
        `Target ${targetArn} is not an SQS queue; only SQS targets run locally.`,
        false,
      );
    }
    const [, region, accountId, queueName = ''] = match;
    if (region !== scope.region || accountId !== scope.accountId) {
      throw new TargetDeliveryError(
        'NO_RESOURCE',
        `Queue ${targetArn} is outside this local account and region.`,
        false,
      );
    }
    try {
      await sqs.call('SendMessage', {
        QueueUrl: sqs.queueUrl(queueName),
        MessageBody: body,
        ...(messageAttributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(messageAttributes).map(([name, value]) => [
                  name,
                  { DataType: 'String', StringValue: value },
                ]),
              ),
            }
          : {}),
      });
    } catch (error) {
      if (error instanceof SqsCallError) {
        if (error.code === 'QueueDoesNotExist' || error.code === 'NonExistentQueue') {
          throw new TargetDeliveryError('NO_RESOURCE', error.message, false);
        }
        if (error.status < 500 && error.code !== 'RequestThrottled') {
          throw new TargetDeliveryError('INVALID_PARAMETER', error.message, false);
        }
        throw new TargetDeliveryError(
          error.status >= 500 ? 'INTERNAL_ERROR' : 'THROTTLING',
          error.message,
          true,
        );
      }
      throw new TargetDeliveryError(
        'INTERNAL_ERROR',
        error instanceof Error ? error.message : String(error),
        true,
      );
    }
  };
}
