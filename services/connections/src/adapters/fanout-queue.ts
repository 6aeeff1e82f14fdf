import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { continuationMessageOf } from '../domain/continuation';
import type { ContinuationQueue } from '../domain/ports';

/**
 * The fan-out queue: the next page of a broadcast, or the frames an
 * invocation could not send (delayed), enqueued for another invocation (`broadcastPage`).
 */
export const buildFanOutQueue =
  ({ client, queueUrl }: { client: SQSClient; queueUrl: string }): ContinuationQueue =>
  async (next, options) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(continuationMessageOf(next)),
        ...(options?.delaySeconds
          ? { DelaySeconds: Math.min(900, Math.max(0, Math.floor(options.delaySeconds))) }
          : {}),
      }),
    );
  };
