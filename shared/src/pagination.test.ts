import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidCursorError } from './errors';
import { decodeCursor, encodeCursor, limitParam } from './pagination';

const key = z.strictObject({ userId: z.string(), postId: z.string() });

describe('cursors', () => {
  it('round-trips a key within its scope', () => {
    const cursor = encodeCursor('favorites:alice', { userId: 'alice', postId: 'p1' });
    expect(decodeCursor(cursor, 'favorites:alice', key)).toEqual({ userId: 'alice', postId: 'p1' });
  });

  it('rejects a cursor from another scope', () => {
    const cursor = encodeCursor('favorites:alice', { userId: 'alice', postId: 'p1' });
    expect(() => decodeCursor(cursor, 'favorites:mallory', key)).toThrow(InvalidCursorError);
  });

  it('rejects an edited key and garbage', () => {
    const forged = encodeCursor('favorites:alice', { userId: 'alice', postId: 'p1', extra: 1 });
    expect(() => decodeCursor(forged, 'favorites:alice', key)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('%%%', 'favorites:alice', key)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('eyJ2IjoyfQ', 'favorites:alice', key)).toThrow(InvalidCursorError);
  });
});

describe('limitParam', () => {
  it('defaults to 20 and accepts 1 to 100', () => {
    expect(limitParam.parse(undefined)).toBe(20);
    expect(limitParam.parse('100')).toBe(100);
    expect(limitParam.safeParse('101').success).toBe(false);
    expect(limitParam.safeParse('0').success).toBe(false);
    expect(limitParam.safeParse('abc').success).toBe(false);
  });
});
