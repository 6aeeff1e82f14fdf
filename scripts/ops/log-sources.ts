/**
 * Where `npm run logs` reads function logs, with the same filters both ways:
 * the functions (a service's, or one), a correlation id (the Powertools
 * `correlation_id` key: CloudWatch's filter pattern `{ $.correlation_id = "<id>" }`,
 * the local journal's same key), and a start time. A source is read once, or
 * again and again from its cursor to follow (--tail).
 */
import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { JournalLine } from '../../local-cloud/src/logs/journal';
import { OpsError } from './aws-stacks';

export interface LogLine {
  time: Date;
  /** `<service>.<function>` */
  function: string;
  line: string;
}

export interface LogFilter {
  correlationId?: string;
  /** ms since the epoch */
  since: number;
  /** At most this many lines per read (the newest, locally; the first found on AWS, per log group). */
  limit: number;
}

export interface LogSource<Cursor> {
  read(filter: LogFilter, cursor?: Cursor): Promise<{ lines: LogLine[]; cursor: Cursor }>;
}

/** CloudWatch's filter pattern for a correlation id (ids are `[A-Za-z0-9._:-]`, so no quoting is needed). */
export const correlationPattern = (correlationId: string) => `{ $.correlation_id = "${correlationId}" }`;

export interface LogGroupRef {
  /** `posts.createPost` */
  function: string;
  logGroup: string;
}

interface AwsCursor {
  /** Where the next read starts (ms): a little before the newest line seen, as CloudWatch ingests late. */
  startTime: number;
  /** Event ids already printed, so the overlap prints nothing twice. */
  seen: Set<string>;
}

const OVERLAP_MS = 30_000;
const MAX_SEEN = 20_000;

const isMissingGroup = (error: unknown) => (error as { name?: string }).name === 'ResourceNotFoundException';

/** FilterLogEvents over every log group of the selection, merged by time. */
export const cloudWatchSource = (
  logs: CloudWatchLogsClient,
  groups: LogGroupRef[],
): LogSource<AwsCursor> => ({
  async read(filter, cursor) {
    const startTime = cursor?.startTime ?? filter.since;
    const seen = cursor?.seen ?? new Set<string>();
    const found: { event: FilteredLogEvent; function: string }[] = [];
    await Promise.all(
      groups.map(async (group) => {
        let nextToken: string | undefined;
        let count = 0;
        do {
          let page: FilterLogEventsCommandOutput;
          try {
            page = await logs.send(
              new FilterLogEventsCommand({
                logGroupName: group.logGroup,
                startTime,
                ...(filter.correlationId ? { filterPattern: correlationPattern(filter.correlationId) } : {}),
                ...(nextToken ? { nextToken } : {}),
              }),
            );
          } catch (error) {
            // A function that never ran has no log group yet.
            if (isMissingGroup(error)) return;
            throw error;
          }
          for (const event of page.events ?? []) {
            if (event.eventId && seen.has(event.eventId)) continue;
            found.push({ event, function: group.function });
            count++;
          }
          nextToken = page.nextToken;
        } while (nextToken && count < filter.limit);
      }),
    );
    found.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0));
    let newest = startTime;
    for (const { event } of found) {
      if (event.eventId) seen.add(event.eventId);
      newest = Math.max(newest, event.timestamp ?? 0);
    }
    if (seen.size > MAX_SEEN) for (const id of [...seen].slice(0, seen.size - MAX_SEEN)) seen.delete(id);
    return {
      lines: found.map(({ event, function: fn }) => ({
        time: new Date(event.timestamp ?? 0),
        function: fn,
        line: (event.message ?? '').replace(/\n$/, ''),
      })),
      cursor: { startTime: Math.max(startTime, newest - OVERLAP_MS), seen },
    };
  },
});

/** The local cloud's journal (`GET /_local/logs`); the cursor is the last seq read. */
export const localSource = (httpUrl: string, functions: string[]): LogSource<number> => ({
  async read(filter, cursor) {
    const query = new URLSearchParams();
    for (const fn of functions) query.append('function', fn);
    if (filter.correlationId) query.set('correlationId', filter.correlationId);
    query.set('since', String(filter.since));
    query.set('limit', String(filter.limit));
    if (cursor !== undefined) query.set('after', String(cursor));
    const answer = await localGet<{ lines: JournalLine[]; next: number }>(httpUrl, `/_local/logs?${query}`);
    return {
      lines: answer.lines.map((line) => ({
        time: new Date(line.time),
        function: line.function,
        line: line.line,
      })),
      cursor: answer.next,
    };
  },
});

/** GET on the running local cloud, or an error that says how to start it. */
export const localGet = async <T>(httpUrl: string, path: string): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(`${httpUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new OpsError(
      `The local cloud is not answering at ${httpUrl} (LC_HTTP_PORT): start it with \`npm start\`, ` +
        'or pass --stage <stage> to read the stage on AWS.',
    );
  }
  if (!response.ok) throw new OpsError(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

/** `10m`, `2h`, `1d`, `30s`, or an ISO-8601 instant, as ms since the epoch. */
export const parseSince = (value: string, now = Date.now()): number => {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(relative[1]) * unit;
  }
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute))
    throw new OpsError(`--since wants a duration such as 10m, 2h, 1d or an ISO-8601 time, not ${value}.`);
  return absolute;
};
