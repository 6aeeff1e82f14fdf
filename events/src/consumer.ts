import type { z } from 'zod';
import { type EventBridgeEnvelope, type EventContract, eventBridgeEnvelope } from './contract';

/** A record that does not carry an event this consumer knows: retrying cannot fix it, so it goes to the DLQ. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

export type ParsedEvent<C extends EventContract> =
  C extends EventContract<infer T, infer V>
    ? {
        detailType: T;
        version: V;
        detail: z.infer<C['detail']>;
        envelope: EventBridgeEnvelope<z.infer<C['detail']>>;
      }
    : never;

/**
 * Parses the body of an SQS message delivered by an EventBridge rule (the
 * EventBridge envelope as JSON) into one of the contracts the consumer accepts,
 * chosen by source, detail-type and detail version.
 */
export const parseEventMessage = <const Cs extends readonly EventContract[]>(
  contracts: Cs,
  body: string,
): ParsedEvent<Cs[number]> => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidEventError('The message body is not JSON');
  }
  const envelope = eventBridgeEnvelope.safeParse(json);
  if (!envelope.success) throw new InvalidEventError('The message body is not an EventBridge event');
  const { source } = envelope.data;
  const detailType = envelope.data['detail-type'];
  const version = (envelope.data.detail as { version?: unknown } | null)?.version;
  const contract = contracts.find(
    (c) => c.source === source && c.detailType === detailType && c.version === version,
  );
  if (!contract) {
    throw new InvalidEventError(`No contract for ${source} ${detailType} v${String(version)}`);
  }
  const detail = contract.detail.safeParse(envelope.data.detail);
  if (!detail.success) {
    throw new InvalidEventError(`${contract.name} detail is invalid: ${detail.error.message}`);
  }
  return {
    detailType: contract.detailType,
    version: contract.version,
    detail: detail.data,
    envelope: { ...envelope.data, detail: detail.data },
  } as ParsedEvent<Cs[number]>;
};
