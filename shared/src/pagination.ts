import { z } from 'zod';
import { InvalidCursorError } from './errors';

/** `?limit=` as in the contract: default 20, at most 100. */
export const limitParam = z.coerce.number().int().min(1).max(100).default(20);

/**
 * Opaque list cursors. A cursor names the list it belongs to (its scope, e.g.
 * `favorites:alice`) and carries a DynamoDB key that must satisfy the list's own
 * key schema. A cursor from another list, another user, or with any edited or
 * extra field is rejected as 400, so it can never reach someone else's data.
 */
export const encodeCursor = (scope: string, key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify({ v: 1, s: scope, k: key }), 'utf8').toString('base64url');

const envelope = z.strictObject({ v: z.literal(1), s: z.string(), k: z.record(z.string(), z.unknown()) });

export const decodeCursor = <K extends z.ZodType>(
  cursor: string,
  scope: string,
  keySchema: K,
): z.infer<K> => {
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('malformed');
    const parsed = envelope.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.s !== scope) throw new Error('scope mismatch');
    return keySchema.parse(parsed.k);
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
