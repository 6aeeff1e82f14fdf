import { z } from 'zod';
import type { EventContract } from './contract';

/** The JSON Schema of a contract version's `detail`, as published in events/schemas/. */
export const detailJsonSchema = (contract: EventContract): Record<string, unknown> => ({
  $id: `https://live-comments.dev/events/${contract.name}.json`,
  title: `${contract.detailType} v${contract.version} (source ${contract.source})`,
  ...z.toJSONSchema(contract.detail, { target: 'draft-2020-12' }),
});
