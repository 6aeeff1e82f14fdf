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
  /** The token's `exp` (epoch seconds); absent for an anonymous reader. */
  tokenExpiresAt?: number;
  /**
   * The expiry hour and a shard (`tokenExpiryHourOf`): the key of the index the
   * expired-token sweep reads. Absent when API Gateway's 2 hours end first.
   */
  tokenExpiryHour?: string;
}
