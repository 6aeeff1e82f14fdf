import type { Message } from '@aws-sdk/client-sqs';
import { clientsFor, redriveQueue } from '../../../scripts/dead-letters/dead-letters';
import type { Edge } from '../edge';
import type { QueueContents } from './console';
import type { RedriveAnswer } from './model';

/**
 * The console's reads on the local cloud's own services, in process (no
 * HTTP, no SigV4): fauxqs's non-destructive queue inspection (what is
 * waiting, in flight and delayed, with each message's sent time and
 * attributes, without receiving it and so without counting a receive), and a
 * Scan of the subscriptions table through dynalite. The redrive goes through
 * the edge with the SDK, signed with the local admin credential, as
 * `npm run dlq -- --local redrive` does: it is the same code.
 */

interface FauxqsMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  sentTimestamp: number;
  approximateReceiveCount: number;
}

interface FauxqsInspection {
  messages: {
    ready: FauxqsMessage[];
    delayed: FauxqsMessage[];
    inflight: { message: FauxqsMessage }[];
  };
}

/** A fauxqs message as SQS's ReceiveMessage returns it (what describeDeadLetter reads). */
const asSqsMessage = (message: FauxqsMessage): Message => ({
  MessageId: message.messageId,
  Body: message.body,
  Attributes: {
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.approximateReceiveCount),
  },
  MessageAttributes: Object.fromEntries(
    Object.entries(message.messageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      },
    ]),
  ),
});

/** What is in one queue, read without receiving; undefined when fauxqs has no such queue. */
export const inspectQueue = async (
  edge: Pick<Edge, 'sqs'>,
  name: string,
  keepMessages: number,
): Promise<QueueContents | undefined> => {
  const response = await edge.sqs.handle({
    method: 'GET',
    url: `/_fauxqs/queues/${encodeURIComponent(name)}`,
    headers: {},
    body: Buffer.alloc(0),
  });
  if (response.status !== 200) return undefined;
  const { messages } = JSON.parse(response.body.toString()) as FauxqsInspection;
  const all = [...messages.ready, ...messages.inflight.map((entry) => entry.message), ...messages.delayed];
  const oldest = all.reduce<number | undefined>(
    (min, message) => (min === undefined || message.sentTimestamp < min ? message.sentTimestamp : min),
    undefined,
  );
  return {
    name,
    visible: messages.ready.length,
    inFlight: messages.inflight.length,
    delayed: messages.delayed.length,
    ...(oldest !== undefined ? { oldestSentAt: oldest } : {}),
    messages: keepMessages > 0 ? messages.ready.slice(0, keepMessages).map(asSqsMessage) : [],
  };
};

/** Subscriptions per topic, most first: one Scan of the table (a few thousand items at most locally). */
export const countTopics = async (
  edge: Pick<Edge, 'dynamodb'>,
  tableName: string,
): Promise<{ topic: string; subscribers: number }[]> => {
  const counts = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  // At most ten pages a second: a flood of subscriptions is shown as far as it was read.
  for (let page = 0; page < 10; page++) {
    const result: { Items?: { topic?: { S?: string } }[]; LastEvaluatedKey?: Record<string, unknown> } =
      await edge.dynamodb.call('Scan', {
        TableName: tableName,
        ProjectionExpression: 'topic',
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
    for (const item of result.Items ?? []) {
      const topic = item.topic?.S;
      if (topic) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    }
    start = result.LastEvaluatedKey;
    if (!start) break;
  }
  return [...counts]
    .map(([topic, subscribers]) => ({ topic, subscribers }))
    .sort((a, b) => b.subscribers - a.subscribers || a.topic.localeCompare(b.topic));
};

/** `npm run dlq -- --local redrive <queue>`, from the console's button. */
export const redriveThroughEdge = async (
  edge: Pick<Edge, 'url' | 'region'>,
  queue: string,
): Promise<RedriveAnswer> => {
  // Signed with the local admin credential, which the edge accepts whatever it checks.
  const clients = clientsFor({
    endpoint: edge.url,
    region: edge.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const result = await redriveQueue(clients, queue);
    return {
      queue: result.queue.name,
      moved: result.moved,
      failed: result.failed,
      destination: result.destinationUrl,
    };
  } finally {
    clients.sqs.destroy();
    clients.events.destroy();
  }
};
