/**
 * API Gateway closes every WebSocket connection after 2 hours at most, and
 * `$disconnect` is best effort. A connection record still there a little
 * after that is one whose `$disconnect` never ran: the stale-connection sweep
 * closes it like `$disconnect` would (subscriptions gone, open count down).
 * TTL removes the records later still, as a backstop: a record TTL removed
 * first would never be counted down.
 */
export const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
/** How long after API Gateway's limit `$disconnect` has had its chance. */
export const SWEEP_GRACE_MS = 5 * 60 * 1000;
/** How far back a sweep looks (it runs every 10 minutes; this rides over hours of failed runs). */
export const SWEEP_LOOKBACK_MS = 3 * 60 * 60 * 1000;
const TTL_MARGIN_MS = SWEEP_GRACE_MS + SWEEP_LOOKBACK_MS;

/** The TTL (epoch seconds) of the records of a connection opened at `connectedAtMs`. */
export const connectionExpiresAt = (connectedAtMs: number): number =>
  Math.ceil((connectedAtMs + MAX_CONNECTION_MS + TTL_MARGIN_MS) / 1000);

/**
 * Connections opened in one hour are spread over this many index partitions,
 * so that a burst of handshakes does not all write one partition key.
 */
export const CONNECTED_HOUR_SHARDS = 4;

const HOUR_MS = 60 * 60 * 1000;

/** The shard of a connection id, for the sharded index partitions. */
export const shardOf = (connectionId: string): number => {
  let hash = 0;
  for (let i = 0; i < connectionId.length; i++) hash = (hash * 31 + connectionId.charCodeAt(i)) >>> 0;
  return hash % CONNECTED_HOUR_SHARDS;
};

/** The index partition of a connection: its opening hour (UTC) and a shard, `2026-12-02T09#3`. */
export const connectedHourOf = (connectedAtMs: number, connectionId: string): string =>
  `${new Date(connectedAtMs).toISOString().slice(0, 13)}#${shardOf(connectionId)}`;

/**
 * What a sweep at `nowMs` looks at: every index partition of the hours from
 * the lookback to the cutoff, and the cutoff (records opened before it are
 * stale).
 */
export const staleConnectionWindow = (nowMs: number): { connectedBefore: string; partitions: string[] } => {
  const cutoff = nowMs - MAX_CONNECTION_MS - SWEEP_GRACE_MS;
  const partitions: string[] = [];
  for (
    let hour = Math.floor((cutoff - SWEEP_LOOKBACK_MS) / HOUR_MS);
    hour <= Math.floor(cutoff / HOUR_MS);
    hour++
  ) {
    const prefix = new Date(hour * HOUR_MS).toISOString().slice(0, 13);
    for (let shard = 0; shard < CONNECTED_HOUR_SHARDS; shard++) partitions.push(`${prefix}#${shard}`);
  }
  return { connectedBefore: new Date(cutoff).toISOString(), partitions };
};
