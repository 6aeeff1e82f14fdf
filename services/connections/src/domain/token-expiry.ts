import { errorFrame } from '@live-comments/events/websocket';
import { CONNECTED_HOUR_SHARDS, MAX_CONNECTION_MS, shardOf } from './lifetime';
import type { ConnectionCloser, ConnectionStore, FrameSender } from './ports';

/**
 * A connection does not outlive its token. `$connect` records the token's
 * `exp`, and under `tokenExpiryHour` (the expiry hour and a shard) in the
 * sparse `byTokenExpiry` index; a sweep every minute reads the partitions of
 * the hours a token could have expired in and closes each connection found:
 * an `error` frame `token_expired` (no requestId), then `DeleteConnection` (which closes
 * the socket; the backend cannot choose the close code, hence the frame),
 * then the record, as `$disconnect` would. A closed connection leaves the
 * index, so a partition holds only what is still to close.
 */

const HOUR_MS = 60 * 60 * 1000;
/** How often the sweep runs (serverless.yml: rate(1 minute)); a token may outlive its exp by about this. */
export const TOKEN_SWEEP_INTERVAL_MS = 60 * 1000;

const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13);

/**
 * The index partition of a connection whose token expires at `expSeconds`,
 * `2026-12-02T09#3`; undefined when API Gateway closes the connection first
 * (2 hours after it opened), so such a connection never enters the index.
 */
export const tokenExpiryHourOf = (
  expSeconds: number,
  connectedAtMs: number,
  connectionId: string,
): string | undefined =>
  expSeconds * 1000 >= connectedAtMs + MAX_CONNECTION_MS
    ? undefined
    : `${hourOf(expSeconds * 1000)}#${shardOf(connectionId)}`;

/**
 * The partitions a sweep at `nowMs` reads: every shard of the hours from
 * API Gateway's 2 hours ago (a token that expired before that belongs to a
 * connection API Gateway has closed) to now.
 */
export const expiredTokenPartitions = (nowMs: number): string[] => {
  const partitions: string[] = [];
  for (
    let hour = Math.floor((nowMs - MAX_CONNECTION_MS) / HOUR_MS);
    hour <= Math.floor(nowMs / HOUR_MS);
    hour++
  ) {
    for (let shard = 0; shard < CONNECTED_HOUR_SHARDS; shard++)
      partitions.push(`${hourOf(hour * HOUR_MS)}#${shard}`);
  }
  return partitions;
};

export const TOKEN_EXPIRED_MESSAGE = 'The token has expired: connect again with a fresh one.';

export interface ExpiredTokenSweep {
  /** Connections found whose token has expired. */
  found: number;
  /** Of which this sweep closed (the others were closed meanwhile). */
  closed: number;
  /** Ids that could not be closed this time (the next sweep tries again). */
  failed: string[];
}

export interface TokenSweepDeps {
  connections: Pick<ConnectionStore, 'tokenExpiredBy' | 'close'>;
  sendFrame: FrameSender;
  closeConnection: ConnectionCloser;
}

/** Closes every connection whose token has expired; safe to run twice (a closed connection is gone). */
export const sweepExpiredTokens = async (deps: TokenSweepDeps, nowMs: number): Promise<ExpiredTokenSweep> => {
  const frame = JSON.stringify(errorFrame('token_expired', TOKEN_EXPIRED_MESSAGE));
  const nowSeconds = Math.floor(nowMs / 1000);
  const sweep: ExpiredTokenSweep = { found: 0, closed: 0, failed: [] };
  for (const partition of expiredTokenPartitions(nowMs)) {
    for (const connectionId of await deps.connections.tokenExpiredBy(partition, nowSeconds)) {
      sweep.found++;
      try {
        // The frame is best effort: a connection that is gone or slow is closed all the same.
        await deps.sendFrame(connectionId, frame);
        await deps.closeConnection(connectionId);
        if (await deps.connections.close(connectionId)) sweep.closed++;
      } catch {
        sweep.failed.push(connectionId);
      }
    }
  }
  return sweep;
};
