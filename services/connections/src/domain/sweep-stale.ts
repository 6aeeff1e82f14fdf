import { staleConnectionWindow } from './lifetime';
import type { ConnectionStore } from './ports';

export interface StaleSweep {
  /** Connection records found past API Gateway's 2 hours (and the grace after them). */
  found: number;
  /** Of which this sweep closed (the others were closed meanwhile). */
  closed: number;
  /** Ids that could not be closed this time (the next sweep tries again). */
  failed: string[];
}

export interface SweepDeps {
  connections: Pick<ConnectionStore, 'openedBefore' | 'close'>;
}

/**
 * Closes the connections whose `$disconnect` never ran, as `$disconnect`
 * would: record and subscriptions gone, the open count one less. Found by
 * Query on the opening-hour index, never a Scan. Safe to run twice: closing
 * a connection that is already gone changes nothing.
 */
export const sweepStaleConnections = async (deps: SweepDeps, nowMs: number): Promise<StaleSweep> => {
  const { connectedBefore, partitions } = staleConnectionWindow(nowMs);
  const sweep: StaleSweep = { found: 0, closed: 0, failed: [] };
  for (const partition of partitions) {
    for (const connectionId of await deps.connections.openedBefore(partition, connectedBefore)) {
      sweep.found++;
      try {
        if (await deps.connections.close(connectionId)) sweep.closed++;
      } catch {
        sweep.failed.push(connectionId);
      }
    }
  }
  return sweep;
};
