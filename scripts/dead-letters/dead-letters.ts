import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Dead letters for operators: which queues hold them, what they are, and
 * moving them back once the cause is fixed. Works on AWS and on the local
 * cloud alike (plain SQS and EventBridge calls).
 *
 * Why not `aws sqs start-message-move-task` alone: it only moves out of a
 * queue that is another queue's DLQ, so it cannot replay the DLQ of an
 * EventBridge rule target (events EventBridge could not deliver), and the
 * local SQS (fauxqs) does not implement it. Moving is receive, send to the
 * destination, delete what was sent: a crash in between sends a message
 * twice at worst, which every consumer here tolerates (idempotent per
 * event id).
 */

/** Where a dead-letter queue's messages go back to. */
export type DeadLetterSource =
  /** The DLQ of an SQS queue (its RedrivePolicy): messages its consumer failed maxReceiveCount times. */
  | { kind: 'queue'; queueArn: string; maxReceiveCount?: number }
  /** The DLQ of an EventBridge rule target: events the bus could not deliver to the target. */
  | { kind: 'rule-target'; ruleArn: string; targetArn: string; busName: string };

export interface DeadLetterQueue {
  name: string;
  url: string;
  arn: string;
  /** Messages waiting (visible), and received by someone right now (in flight). */
  waiting: number;
  inFlight: number;
  sources: DeadLetterSource[];
}

export interface DeadLetterClients {
  sqs: SQSClient;
  events: EventBridgeClient;
}

const queueNameOf = (arn: string) => arn.split(':').at(-1) ?? arn;

/**
 * Every page of a NextToken-paged list call. One loop for the four list
 * calls here: EventBridge's client has no paginators, and SQS's would reuse
 * one input object across pages.
 */
async function* everyPage<T extends { NextToken?: string | undefined }>(
  fetch: (NextToken: string | undefined) => Promise<T>,
): AsyncGenerator<T> {
  let NextToken: string | undefined;
  do {
    const page = await fetch(NextToken);
    yield page;
    NextToken = page.NextToken;
  } while (NextToken);
}

/** Every queue URL. */
const listQueueUrls = async (sqs: SQSClient, prefix?: string): Promise<string[]> => {
  const urls: string[] = [];
  const pages = everyPage((NextToken) =>
    sqs.send(
      new ListQueuesCommand({ MaxResults: 1000, ...(prefix ? { QueueNamePrefix: prefix } : {}), NextToken }),
    ),
  );
  for await (const page of pages) urls.push(...(page.QueueUrls ?? []));
  return urls;
};

/** The rule targets that name a DLQ, on every bus. */
const ruleTargetsWithDlq = async (events: EventBridgeClient) => {
  const found: { dlqArn: string; source: DeadLetterSource }[] = [];
  for await (const buses of everyPage((NextToken) => events.send(new ListEventBusesCommand({ NextToken })))) {
    for (const bus of buses.EventBuses ?? []) {
      const busName = bus.Name ?? 'default';
      const rulePages = everyPage((NextToken) =>
        events.send(new ListRulesCommand({ EventBusName: busName, NextToken })),
      );
      for await (const rules of rulePages) {
        for (const rule of rules.Rules ?? []) {
          const targetPages = everyPage((NextToken) =>
            events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName, NextToken })),
          );
          for await (const targets of targetPages) {
            for (const target of targets.Targets ?? []) {
              const dlqArn = target.DeadLetterConfig?.Arn;
              if (!dlqArn || !target.Arn) continue;
              found.push({
                dlqArn,
                source: { kind: 'rule-target', ruleArn: rule.Arn ?? '', targetArn: target.Arn, busName },
              });
            }
          }
        }
      }
    }
  }
  return found;
};

/**
 * The dead-letter queues: those a queue's RedrivePolicy or a rule target's
 * DeadLetterConfig names, with their message counts and sources. `prefix`
 * narrows the queues looked at (e.g. a stage: `prod-`).
 */
export const findDeadLetterQueues = async (
  { sqs, events }: DeadLetterClients,
  options: { prefix?: string } = {},
): Promise<DeadLetterQueue[]> => {
  const urls = await listQueueUrls(sqs, options.prefix);
  const queues = await Promise.all(
    urls.map(async (url) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'QueueArn',
            'RedrivePolicy',
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
          ],
        }),
      );
      return { url, attributes: Attributes };
    }),
  );
  const byArn = new Map<string, DeadLetterQueue>();
  for (const { url, attributes } of queues) {
    const arn = attributes.QueueArn ?? '';
    byArn.set(arn, {
      name: queueNameOf(arn),
      url,
      arn,
      waiting: Number(attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      sources: [],
    });
  }
  for (const { attributes } of queues) {
    if (!attributes.RedrivePolicy) continue;
    const policy = JSON.parse(attributes.RedrivePolicy) as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: unknown;
    };
    const dlq = policy.deadLetterTargetArn ? byArn.get(policy.deadLetterTargetArn) : undefined;
    const maxReceiveCount = Number(policy.maxReceiveCount);
    dlq?.sources.push({
      kind: 'queue',
      queueArn: attributes.QueueArn ?? '',
      ...(Number.isFinite(maxReceiveCount) ? { maxReceiveCount } : {}),
    });
  }
  for (const { dlqArn, source } of await ruleTargetsWithDlq(events)) byArn.get(dlqArn)?.sources.push(source);
  return [...byArn.values()]
    .filter((queue) => queue.sources.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
};

/** The attributes EventBridge adds to an event it sends to a target's DLQ (not part of the event). */
export const EVENTBRIDGE_DLQ_ATTRIBUTES = new Set([
  'RULE_ARN',
  'TARGET_ARN',
  'ERROR_CODE',
  'ERROR_MESSAGE',
  'RETRY_ATTEMPTS',
  'EXHAUSTED_RETRY_CONDITION',
]);

/** One dead letter, as an operator reads it. */
export interface DeadLetter {
  messageId: string;
  receiveCount: number;
  /** When it was first sent (to the DLQ, or to the queue before it), ISO time. */
  sentAt?: string;
  /** Why EventBridge gave up, for a rule target's DLQ. */
  error?: { code?: string; message?: string; retryAttempts?: string; ruleArn?: string };
  /** What the body is, when it is an event of this system (EventBridge envelope or continuation page). */
  event?: { type: string; eventId?: string; correlationId?: string; occurredAt?: string; detail?: string };
  body: string;
}

const stringAttribute = (attributes: Record<string, MessageAttributeValue> | undefined, name: string) =>
  attributes?.[name]?.StringValue;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Recognises the bodies this system queues: EventBridge envelopes and broadcast continuation pages. */
const eventOf = (body: string): DeadLetter['event'] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const detailType = text(parsed['detail-type']);
  if (detailType) {
    const detail = isRecord(parsed.detail) ? parsed.detail : {};
    const eventId = text(detail.eventId) ?? text(parsed.id);
    const correlationId = text(detail.correlationId);
    const occurredAt = text(detail.occurredAt) ?? text(parsed.time);
    return {
      type: detailType,
      ...(eventId ? { eventId } : {}),
      ...(correlationId ? { correlationId } : {}),
      ...(occurredAt ? { occurredAt } : {}),
    };
  }
  if (typeof parsed.topic === 'string' && typeof parsed.eventId === 'string') {
    const correlationId = text(parsed.correlationId);
    return {
      type: 'BroadcastPage',
      eventId: parsed.eventId,
      ...(correlationId ? { correlationId } : {}),
      detail: `${parsed.topic} page ${String(parsed.page ?? '?')}`,
    };
  }
  return undefined;
};

export const describeDeadLetter = (message: Message): DeadLetter => {
  const attributes = message.MessageAttributes;
  const sent = Number(message.Attributes?.SentTimestamp);
  const code = stringAttribute(attributes, 'ERROR_CODE');
  const errorMessage = stringAttribute(attributes, 'ERROR_MESSAGE');
  const retryAttempts = stringAttribute(attributes, 'RETRY_ATTEMPTS');
  const ruleArn = stringAttribute(attributes, 'RULE_ARN');
  const body = message.Body ?? '';
  const event = eventOf(body);
  return {
    messageId: message.MessageId ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(code || errorMessage
      ? {
          error: {
            ...(code ? { code } : {}),
            ...(errorMessage ? { message: errorMessage } : {}),
            ...(retryAttempts ? { retryAttempts } : {}),
            ...(ruleArn ? { ruleArn } : {}),
          },
        }
      : {}),
    ...(event ? { event } : {}),
    body,
  };
};

const receive = (sqs: SQSClient, queueUrl: string, max: number, visibilityTimeout: number) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, max),
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );

/**
 * Reads up to `max` dead letters without removing them: each is made
 * visible again right after (receiving counts as a receive, as the AWS
 * console's poll does).
 */
export const peekDeadLetters = async (sqs: SQSClient, queueUrl: string, max = 10): Promise<DeadLetter[]> => {
  const seen = new Map<string, DeadLetter>();
  const held: { Id: string; ReceiptHandle: string }[] = [];
  try {
    while (seen.size < max) {
      // Held for a minute so one peek does not read the same message twice.
      const { Messages = [] } = await receive(sqs, queueUrl, max - seen.size, 60);
      if (Messages.length === 0) break;
      for (const message of Messages) {
        if (message.ReceiptHandle)
          held.push({ Id: String(held.length), ReceiptHandle: message.ReceiptHandle });
        if (message.MessageId && !seen.has(message.MessageId))
          seen.set(message.MessageId, describeDeadLetter(message));
      }
    }
  } finally {
    for (let start = 0; start < held.length; start += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: held.slice(start, start + 10).map((entry) => ({ ...entry, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
  return [...seen.values()];
};

export interface RedriveOptions {
  /** The DLQ to empty. */
  from: DeadLetterQueue;
  /** Where to (queue name or ARN): default the DLQ's only source (its source queue, or its rule target's queue). */
  toArn?: string;
  /** Move at most this many (default all). */
  max?: number;
  /** Told about every message moved or not. */
  onMessage?: (letter: DeadLetter, outcome: 'moved' | { failed: string }) => void;
}

export interface RedriveResult {
  destinationUrl: string;
  moved: number;
  failed: number;
}

export class RedriveError extends Error {
  override name = 'RedriveError';
}

/** The queue a DLQ's messages go back to, unless the operator names one. */
export const destinationOf = (dlq: DeadLetterQueue, toArn?: string): string => {
  if (toArn) return toArn;
  const destinations = new Set(
    dlq.sources.map((source) => (source.kind === 'queue' ? source.queueArn : source.targetArn)),
  );
  if (destinations.size !== 1) {
    throw new RedriveError(
      `${dlq.name} takes dead letters from ${destinations.size} places (${[...destinations].join(', ')}); ` +
        'name the destination with --to <queue name or ARN>.',
    );
  }
  const [only] = destinations;
  if (!only?.startsWith('arn:aws:sqs:')) {
    throw new RedriveError(`${dlq.name} feeds ${only}, which is not an SQS queue; name one with --to.`);
  }
  return only;
};

/** What goes back: the message as it was, without the attributes EventBridge added for the DLQ. */
const attributesToResend = (dlq: DeadLetterQueue, message: Message) => {
  const attributes = { ...(message.MessageAttributes ?? {}) };
  if (dlq.sources.some((source) => source.kind === 'rule-target')) {
    for (const name of EVENTBRIDGE_DLQ_ATTRIBUTES) delete attributes[name];
  }
  return Object.keys(attributes).length > 0 ? attributes : undefined;
};

/**
 * SQS refuses a SendMessageBatch whose messages add up to more than 256 KiB
 * (BatchRequestTooLong, for the whole batch): ten dead letters near the
 * size limit are sent in several batches, one message alone if need be.
 */
export const BATCH_BYTES_LIMIT = 256 * 1024;

const entryBytes = (entry: SendMessageBatchRequestEntry): number => {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
};

const sendInBatches = async (sqs: SQSClient, queueUrl: string, entries: SendMessageBatchRequestEntry[]) => {
  const accepted = new Set<string>();
  const reasons = new Map<string, string>();
  let batch: SendMessageBatchRequestEntry[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
    for (const entry of sent.Successful ?? []) if (entry.Id) accepted.add(entry.Id);
    for (const entry of sent.Failed ?? []) {
      if (entry.Id) reasons.set(entry.Id, entry.Message ?? entry.Code ?? 'failed');
    }
    batch = [];
    batchBytes = 0;
  };
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (batch.length > 0 && batchBytes + bytes > BATCH_BYTES_LIMIT) await flush();
    batch.push(entry);
    batchBytes += bytes;
  }
  await flush();
  return { accepted, reasons };
};

/**
 * Moves dead letters back, ten at a time: receive from the DLQ, send to the
 * destination, delete from the DLQ only what the destination accepted. A
 * message that could not be sent stays in the DLQ (visible again after a
 * minute).
 */
export const redriveDeadLetters = async (sqs: SQSClient, options: RedriveOptions): Promise<RedriveResult> => {
  const { from } = options;
  if (from.name.endsWith('.fifo')) {
    throw new RedriveError(`${from.name} is a FIFO queue; this tool moves standard queues' messages only.`);
  }
  const destination = destinationOf(from, options.toArn);
  const { QueueUrl: destinationUrl } = await sqs.send(
    new GetQueueUrlCommand({
      QueueName: queueNameOf(destination),
      ...(destination.startsWith('arn:') ? { QueueOwnerAWSAccountId: destination.split(':')[4] } : {}),
    }),
  );
  if (!destinationUrl) throw new RedriveError(`No queue ${destination}.`);
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const result: RedriveResult = { destinationUrl, moved: 0, failed: 0 };
  while (result.moved + result.failed < max) {
    const { Messages = [] } = await receive(sqs, from.url, max - result.moved - result.failed, 60);
    if (Messages.length === 0) break;
    const entries = Messages.map((message, index) => ({ message, id: String(index) }));
    const { accepted, reasons } = await sendInBatches(
      sqs,
      destinationUrl,
      entries.map(({ message, id }) => {
        const attributes = attributesToResend(from, message);
        return {
          Id: id,
          MessageBody: message.Body ?? '',
          ...(attributes ? { MessageAttributes: attributes } : {}),
        };
      }),
    );
    const toDelete = entries.filter(({ id }) => accepted.has(id));
    if (toDelete.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: from.url,
          Entries: toDelete.map(({ message, id }) => ({
            Id: id,
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
    for (const { message, id } of entries) {
      const moved = accepted.has(id);
      if (moved) result.moved++;
      else result.failed++;
      options.onMessage?.(
        describeDeadLetter(message),
        moved ? 'moved' : { failed: reasons.get(id) ?? 'not sent' },
      );
    }
    // A whole batch refused: stop rather than spin on the same messages.
    if (toDelete.length === 0) break;
  }
  return result;
};

/** A DLQ by name, URL or ARN among those found. */
export const pickDeadLetterQueue = (queues: DeadLetterQueue[], name: string): DeadLetterQueue => {
  const wanted = name.startsWith('arn:') ? queueNameOf(name) : (name.split('/').at(-1) ?? name);
  const found = queues.find((queue) => queue.name === wanted);
  if (!found) {
    throw new RedriveError(
      `${name} is not a dead-letter queue here. Dead-letter queues: ${queues.map((queue) => queue.name).join(', ') || 'none'}.`,
    );
  }
  return found;
};

/**
 * `npm run dlq -- redrive <queue>` and the console's redrive button: finds
 * the DLQ by name among the dead-letter queues (so its sources say where its
 * messages go back to) and moves them.
 */
export const redriveQueue = async (
  clients: DeadLetterClients,
  name: string,
  options: Omit<RedriveOptions, 'from'> & { prefix?: string } = {},
): Promise<RedriveResult & { queue: DeadLetterQueue }> => {
  const { prefix, ...redrive } = options;
  const queue = pickDeadLetterQueue(await findDeadLetterQueues(clients, prefix ? { prefix } : {}), name);
  return { ...(await redriveDeadLetters(clients.sqs, { from: queue, ...redrive })), queue };
};

export const clientsFor = (config: {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): DeadLetterClients => ({
  sqs: new SQSClient(config),
  events: new EventBridgeClient(config),
});
