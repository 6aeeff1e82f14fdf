import { describe, expect, it } from 'vitest';
import {
  CONNECTED_HOUR_SHARDS,
  connectedHourOf,
  connectionExpiresAt,
  staleConnectionWindow,
} from './lifetime';

const at = (iso: string) => Date.parse(iso);

describe('connection lifetime', () => {
  it('expires records after the stale-connection sweep has had its window', () => {
    // 2 h of API Gateway, 5 min of grace, 3 h of lookback
    expect(connectionExpiresAt(at('2026-01-01T00:00:00Z'))).toBe(at('2026-01-01T05:05:00Z') / 1000);
  });

  it('files a connection under its opening hour and a shard that depends on its id only', () => {
    expect(connectedHourOf(at('2026-12-02T09:59:59.999Z'), 'abc=')).toBe('2026-12-02T09#3');
    expect(connectedHourOf(at('2026-12-02T10:00:00Z'), 'abc=')).toBe('2026-12-02T10#3');
    const shards = new Set(
      Array.from({ length: 200 }, (_, i) => connectedHourOf(0, `id-${i}`).split('#')[1]),
    );
    expect(shards.size).toBe(CONNECTED_HOUR_SHARDS);
  });

  it('sweeps every shard of the hours from the lookback to 2 h 5 min ago', () => {
    const window = staleConnectionWindow(at('2026-12-02T12:30:00Z'));
    expect(window.connectedBefore).toBe('2026-12-02T10:25:00.000Z');
    expect(window.partitions).toEqual(
      ['07', '08', '09', '10'].flatMap((hour) =>
        Array.from({ length: CONNECTED_HOUR_SHARDS }, (_, shard) => `2026-12-02T${hour}#${shard}`),
      ),
    );
  });

  it('catches every connection that outlived API Gateway, whatever its id', () => {
    const now = at('2026-12-02T12:30:00Z');
    const window = staleConnectionWindow(now);
    for (const minutesAgo of [126, 180, 240, 300]) {
      const openedAt = now - minutesAgo * 60_000;
      const id = `conn-${minutesAgo}`;
      expect(window.partitions).toContain(connectedHourOf(openedAt, id));
      expect(new Date(openedAt).toISOString() < window.connectedBefore).toBe(true);
    }
    // Still within API Gateway's 2 hours (and the grace): not stale.
    expect(new Date(now - 124 * 60_000).toISOString() < window.connectedBefore).toBe(false);
  });
});
