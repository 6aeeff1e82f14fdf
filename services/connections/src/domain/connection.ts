/** An open connection, as recorded at `$connect`. */
export interface Connection {
  connectionId: string;
  /** The token's `sub`; absent for an anonymous reader. */
  userId?: string;
  connectedAt: string;
  /** The opening hour and a shard (`connectedHourOf`): the key of the index the stale-connection sweep reads. */
  connectedHour: string;
  /** TTL, epoch seconds. */
  expiresAt: number;
}
