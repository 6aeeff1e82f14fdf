import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { continuationMessageOf } from '../domain/continuation';
import type { ContinuationQueue } from '../domain/ports';

/** The fan-out queue: the next page of a broadcast, enqueued for another invocation (`broadcastPage`). */
export const buildFanOutQueue =
  ({ client, queueUrl }: { client: SQSClient; queueUrl: string }): ContinuationQueue =>
  async (next) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(continuationMessageOf(next)),
      }),
    );
  };
