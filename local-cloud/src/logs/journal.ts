import type { LogEntry, LogStream } from './index';

/**
 * The local cloud's CloudWatch Logs: the last lines every function wrote, kept
 * in memory (a bounded ring, oldest dropped first), so `npm run logs` can read
 * and follow them with the filters it uses on AWS: the function, a correlation
 * id (the `correlation_id` key of a Powertools line, as the filter pattern
 * `{ $.correlation_id = "<id>" }` matches on AWS), a start time.
 */

export interface JournalLine {
  /** Increases by one per line: `after=<seq>` reads only newer lines (tailing). */
  seq: number;
  /** ISO time: the Powertools line's own timestamp, else when it was written. */
  time: string;
  /** `<service>.<function>`, e.g. `posts.createPost`. */
  function: string;
  stream: LogStream;
  /** The line exactly as the function wrote it. */
  line: string;
}

export interface JournalQuery {
  /** Exact function keys (`posts.createPost`) or services (`posts`); none means every function. */
  functions?: string[];
  correlationId?: string;
  /** Only lines at or after this time (ms since the epoch). */
  since?: number;
  /** Only lines after this seq. */
  after?: number;
  /** At most this many, the newest of those that match (default 1,000). */
  limit?: number;
}

export interface LogJournal {
  record(entry: LogEntry): void;
  /** Matching lines, oldest first, and the seq to pass as `after` next time. */
  query(query: JournalQuery): { lines: JournalLine[]; next: number };
}

interface Kept extends JournalLine {
  epochMs: number;
  correlationId?: string;
}

const correlationOf = (entry: LogEntry): string | undefined => {
  const id = entry.json?.correlation_id;
  return typeof id === 'string' ? id : undefined;
};

export const createLogJournal = (options: { capacity?: number } = {}): LogJournal => {
  const capacity = options.capacity ?? 10_000;
  const ring: Kept[] = [];
  let start = 0;
  let seq = 0;

  const matches = (kept: Kept, query: JournalQuery) =>
    (query.after === undefined || kept.seq > query.after) &&
    (query.since === undefined || kept.epochMs >= query.since) &&
    (query.correlationId === undefined || kept.correlationId === query.correlationId) &&
    (!query.functions?.length ||
      query.functions.some((name) => kept.function === name || kept.function.startsWith(`${name}.`)));

  return {
    record(entry) {
      seq += 1;
      const correlationId = correlationOf(entry);
      const kept: Kept = {
        seq,
        time: entry.time.toISOString(),
        epochMs: entry.time.getTime(),
        function: entry.functionKey,
        stream: entry.stream,
        line: entry.line,
        ...(correlationId ? { correlationId } : {}),
      };
      if (ring.length < capacity) ring.push(kept);
      else {
        ring[start] = kept;
        start = (start + 1) % capacity;
      }
    },
    query(query) {
      const limit = query.limit ?? 1_000;
      const found: JournalLine[] = [];
      for (let index = 0; index < ring.length; index++) {
        const kept = ring[(start + index) % ring.length] as Kept;
        if (!matches(kept, query)) continue;
        const { epochMs: _epochMs, correlationId: _correlationId, ...line } = kept;
        found.push(line);
      }
      return { lines: found.slice(-limit), next: seq };
    },
  };
};
