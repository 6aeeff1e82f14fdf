import { z } from 'zod';

/**
 * An event contract: which source publishes it, under which detail-type and
 * version, and the schema of its data. Declared once here and used by the
 * producer (publisher), the consumer (parser) and the EventBridge rules.
 *
 * Every `detail` carries, besides the data:
 * - `version`: the contract version; a new version is added beside the old one.
 * - `eventId`: the producer's id of the fact. Retries and republishing keep it,
 *   so consumers deduplicate on it (never on the SQS message id, nor on the
 *   EventBridge envelope id, which is new for every PutEvents).
 * - `correlationId`: the id of the HTTP request that caused the event.
 * - `occurredAt`: when the fact happened (ISO-8601 UTC).
 */
export interface EventContract<
  DetailType extends string = string,
  Version extends number = number,
  Data extends z.ZodType = z.ZodType,
> {
  readonly source: string;
  readonly detailType: DetailType;
  readonly version: Version;
  readonly data: Data;
  readonly detail: z.ZodObject<{
    version: z.ZodLiteral<Version>;
    eventId: z.ZodString;
    correlationId: z.ZodString;
    occurredAt: z.ZodISODateTime;
    data: Data;
  }>;
  /** `CommentCreated.v1`: the name of the schema and sample files. */
  readonly name: string;
}

export const defineEvent = <
  DetailType extends string,
  Version extends number,
  Data extends z.ZodType,
>(options: {
  source: string;
  detailType: DetailType;
  version: Version;
  data: Data;
}): EventContract<DetailType, Version, Data> => ({
  ...options,
  name: `${options.detailType}.v${options.version}`,
  detail: z.object({
    version: z.literal(options.version),
    eventId: z.string().min(1).max(128),
    correlationId: z.string().min(1).max(128),
    occurredAt: z.iso.datetime(),
    data: options.data,
  }),
});

export type DetailOf<C extends EventContract> = z.infer<C['detail']>;
export type DataOf<C extends EventContract> = z.infer<C['data']>;

/** The EventBridge envelope, as delivered to targets (and as the body of an SQS message). */
export const eventBridgeEnvelope = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

export type EventBridgeEnvelope<Detail = unknown> = Omit<z.infer<typeof eventBridgeEnvelope>, 'detail'> & {
  detail: Detail;
};
