/**
 * API Gateway closes every WebSocket connection after 2 hours at most. Records
 * of a connection (and its subscriptions) expire a little after that, so that
 * a `$disconnect` that never ran leaves nothing behind for long.
 */
const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
const MARGIN_MS = 10 * 60 * 1000;

/** The TTL (epoch seconds) of the records of a connection opened at `connectedAtMs`. */
export const connectionExpiresAt = (connectedAtMs: number): number =>
  Math.ceil((connectedAtMs + MAX_CONNECTION_MS + MARGIN_MS) / 1000);
