import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandOutput,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import type { SqsService } from '../sqs/sqs';
import type { SqsSender } from './sqs';

/** fauxqs's JSON answer: binary attribute values are base64 text on the wire. */
type WireAttribute = Omit<MessageAttributeValue, 'BinaryValue' | 'BinaryListValues'> & {
  BinaryValue?: string;
  BinaryListValues?: string[];
};
type WireMessage = Omit<Message, 'MessageAttributes'> & { MessageAttributes?: Record<string, WireAttribute> };

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** The SDK's shape of a received message: binary values decoded, as its JSON deserializer does. */
const asSdkMessage = ({ MessageAttributes, ...message }: WireMessage): Message => {
  if (!MessageAttributes) return message;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, { BinaryValue, BinaryListValues, ...value }] of Object.entries(MessageAttributes)) {
    attributes[name] = {
      ...value,
      ...(BinaryValue !== undefined ? { BinaryValue: fromBase64(BinaryValue) } : {}),
      ...(BinaryListValues !== undefined ? { BinaryListValues: BinaryListValues.map(fromBase64) } : {}),
    };
  }
  return { ...message, MessageAttributes: attributes };
};

/**
 * The pollers' SQS client inside the local cloud: their two calls
 * (ReceiveMessage, DeleteMessageBatch) handed to fauxqs in process. Lambda's
 * pollers are AWS's own machinery, not application code, and going through
 * HTTP, SigV4 and the SDK's middleware cost the gateway's thread, which also
 * serves the edge, several milliseconds of CPU per comment (bench/fanout).
 * An abort leaves a long poll to end on its own; the poller stops waiting at
 * once (see `abortable` in ./sqs.ts) and the edge's shutdown ends the poll.
 */
export const inProcessSqs = (sqs: Pick<SqsService, 'call'>): SqsSender => {
  const send = async (command: unknown) => {
    if (command instanceof ReceiveMessageCommand) {
      const output = await sqs.call<{ Messages?: WireMessage[] }>('ReceiveMessage', { ...command.input });
      return {
        $metadata: {},
        ...(output.Messages ? { Messages: output.Messages.map(asSdkMessage) } : {}),
      } satisfies ReceiveMessageCommandOutput;
    }
    if (command instanceof DeleteMessageBatchCommand) {
      const output = await sqs.call<Omit<DeleteMessageBatchCommandOutput, '$metadata'>>(
        'DeleteMessageBatch',
        {
          ...command.input,
        },
      );
      return { $metadata: {}, ...output } satisfies DeleteMessageBatchCommandOutput;
    }
    throw new Error(
      `The local pollers' SQS client does not send ${String((command as object)?.constructor?.name)}`,
    );
  };
  // The SDK's `send` is overloaded per command; the pollers only send the two above.
  return { send: send as SqsSender['send'] };
};
