import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { InvokeResult, LambdaInvoker } from '../lambda/invoker';
import type { SqsEventSourceDef } from '../topology/model';

/** The part of the SQS client the pollers use (a real client, or a fake in tests). */
export type SqsSender = Pick<SQSClient, 'send'>;

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

// The system attributes Lambda copies into a record, in its order.
const LAMBDA_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
];

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function messageAttribute(value: MessageAttributeValue): SqsRecord['messageAttributes'][string] {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
}

/** One SQS message as Lambda puts it in an event (see tests/conformance/lambda-events/sqs-event.json). */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  const attributes: Record<string, string> = {};
  for (const name of LAMBDA_ATTRIBUTES) {
    const value = message.Attributes?.[name as keyof typeof message.Attributes];
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = messageAttribute(value);
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    // Lambda only sets it when the message has attributes.
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The receipt handles to delete after an invocation: all on success, none on a
 * function error or timeout; with ReportBatchItemFailures all but the reported
 * ones, and none if the response names a message that is not in the batch
 * (Lambda then treats the whole batch as failed).
 */
export function receiptsToDelete(
  result: InvokeResult,
  messages: Message[],
  reportBatchItemFailures: boolean,
): Message[] {
  if (!result.ok) return [];
  if (!reportBatchItemFailures) return messages;
  const response = result.result;
  if (response === null || response === undefined || typeof response !== 'object') return messages;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return messages;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(messages.map((message) => message.MessageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return [];
    failed.add(id);
  }
  return messages.filter((message) => !failed.has(message.MessageId ?? ''));
}

export interface SqsPollerOptions {
  source: SqsEventSourceDef;
  queueUrl: string;
  sqs: SqsSender;
  invoker: LambdaInvoker;
  region: string;
  signal: AbortSignal;
  log: (message: string) => void;
}

class Aborted extends Error {}

/** How long a poller waits after its function throttled it (Lambda slows its pollers down). */
export const THROTTLED_BACKOFF_MS = 1000;

/** Settles with the promise, or rejects at once when the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return abortable(new Promise((resolve) => setTimeout(resolve, ms).unref()), signal);
}

/**
 * One poller of an event source mapping: gathers a batch (long poll, then more
 * receives within the batching window up to batchSize), invokes the function
 * and deletes what succeeded. Runs until the signal aborts.
 */
export async function pollQueue(options: SqsPollerOptions): Promise<void> {
  const { source, sqs, signal } = options;
  const receive = async (wanted: number, waitSeconds: number): Promise<Message[]> => {
    const response = await abortable(
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(wanted, 10),
          WaitTimeSeconds: waitSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      ),
      signal,
    );
    return response.Messages ?? [];
  };

  let failures = 0;
  let throttles = 0;
  while (!signal.aborted) {
    try {
      const batch = await receive(source.batchSize, 20);
      if (batch.length === 0) continue;
      const windowEnds = Date.now() + source.maximumBatchingWindowSeconds * 1000;
      while (batch.length < source.batchSize && Date.now() < windowEnds) {
        const remainingSeconds = Math.floor((windowEnds - Date.now()) / 1000);
        const more = await receive(source.batchSize - batch.length, Math.min(20, remainingSeconds));
        batch.push(...more);
        if (more.length === 0 && remainingSeconds === 0)
          await sleep(Math.min(100, windowEnds - Date.now()), signal);
      }
      const event = {
        Records: batch.map((message) => toSqsRecord(message, source.queueArn, options.region)),
      };
      // On stop the answer is not awaited: undeleted messages simply come back later.
      const result = await abortable(options.invoker.invoke(source.functionKey, event), signal);
      if (!result.ok && result.throttled) {
        // As in AWS: not deleted, the messages return after the visibility timeout (and count a receive).
        throttles += 1;
        if (throttles === 1 || throttles % 50 === 0) {
          options.log(
            `${source.functionKey} throttled (reserved concurrency) on ${batch.length} message(s), they return after the visibility timeout` +
              (throttles > 1 ? ` (${throttles} batches throttled so far)` : ''),
          );
        }
        await sleep(THROTTLED_BACKOFF_MS, signal);
        continue;
      }
      if (!result.ok) {
        options.log(
          `${source.functionKey} failed on ${batch.length} message(s), they return after the visibility timeout: ` +
            `${result.error.errorType}: ${result.error.errorMessage}`,
        );
      }
      const done = receiptsToDelete(result, batch, source.reportBatchItemFailures);
      for (let start = 0; start < done.length; start += 10) {
        const chunk = done.slice(start, start + 10);
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
          { abortSignal: signal },
        );
        for (const failed of deleted.Failed ?? []) {
          options.log(
            `${source.functionKey}: could not delete a message: ${failed.Code} ${failed.Message ?? ''}`,
          );
        }
      }
      failures = 0;
    } catch (error) {
      if (signal.aborted || error instanceof Aborted) return;
      failures += 1;
      // The queue may not exist yet, or the edge may be restarting: back off and retry.
      if (failures === 1 || failures % 30 === 0) {
        options.log(`${source.functionKey}: polling ${options.queueUrl} failed: ${(error as Error).message}`);
      }
      try {
        await sleep(Math.min(1000 * failures, 5000), signal);
      } catch {
        return;
      }
    }
  }
}
