import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cloudWatchSource, correlationPattern, localSource, parseSince } from './log-sources';

const logsMock = mockClient(CloudWatchLogsClient);
const logs = new CloudWatchLogsClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

const groups = [
  { function: 'comments.createComment', logGroup: '/aws/lambda/live-comments-comments-prod-createComment' },
  { function: 'connections.broadcast', logGroup: '/aws/lambda/live-comments-connections-prod-broadcast' },
];
const event = (eventId: string, timestamp: number, message: string) => ({
  eventId,
  timestamp,
  message: `${message}\n`,
});

beforeEach(() => logsMock.reset());

describe('cloudWatchSource', () => {
  it('filters each log group on the correlation id from the start time, pages, and merges by time', async () => {
    logsMock
      .on(FilterLogEventsCommand, { logGroupName: groups[0]?.logGroup })
      .resolvesOnce({ events: [event('a1', 1_000, 'created')], nextToken: 'more' })
      .resolvesOnce({ events: [event('a2', 3_000, 'published')] });
    logsMock
      .on(FilterLogEventsCommand, { logGroupName: groups[1]?.logGroup })
      .resolves({ events: [event('b1', 2_000, 'sent')] });
    const source = cloudWatchSource(logs, groups);
    const { lines } = await source.read({ since: 500, limit: 100, correlationId: 'req-1' });
    expect(lines.map((line) => [line.function, line.time.getTime(), line.line])).toEqual([
      ['comments.createComment', 1_000, 'created'],
      ['connections.broadcast', 2_000, 'sent'],
      ['comments.createComment', 3_000, 'published'],
    ]);
    const calls = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    expect(calls).toContainEqual({
      logGroupName: groups[0]?.logGroup,
      startTime: 500,
      filterPattern: '{ $.correlation_id = "req-1" }',
    });
    expect(calls).toContainEqual({
      logGroupName: groups[0]?.logGroup,
      startTime: 500,
      filterPattern: '{ $.correlation_id = "req-1" }',
      nextToken: 'more',
    });
  });

  it('follows: reads again from a little before the newest line, printing nothing twice', async () => {
    logsMock
      .on(FilterLogEventsCommand, { logGroupName: groups[0]?.logGroup })
      .resolvesOnce({ events: [event('a1', 100_000, 'one')] })
      .resolvesOnce({ events: [event('a1', 100_000, 'one'), event('a2', 100_500, 'two')] });
    logsMock.on(FilterLogEventsCommand, { logGroupName: groups[1]?.logGroup }).resolves({ events: [] });
    const source = cloudWatchSource(logs, groups);
    const first = await source.read({ since: 0, limit: 100 });
    expect(first.lines.map((line) => line.line)).toEqual(['one']);
    const second = await source.read({ since: 0, limit: 100 }, first.cursor);
    expect(second.lines.map((line) => line.line)).toEqual(['two']);
    const starts = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.startTime);
    expect(starts).toEqual([0, 0, 70_000, 70_000]);
    expect(logsMock.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).not.toHaveProperty(
      'filterPattern',
    );
  });

  it('skips a log group that does not exist yet (the function never ran)', async () => {
    logsMock.on(FilterLogEventsCommand, { logGroupName: groups[0]?.logGroup }).rejects(
      Object.assign(new Error('The specified log group does not exist.'), {
        name: 'ResourceNotFoundException',
      }),
    );
    logsMock
      .on(FilterLogEventsCommand, { logGroupName: groups[1]?.logGroup })
      .resolves({ events: [event('b1', 1, 'x')] });
    const { lines } = await cloudWatchSource(logs, groups).read({ since: 0, limit: 10 });
    expect(lines.map((line) => line.function)).toEqual(['connections.broadcast']);
  });

  it('stops paging a log group once it has the limit', async () => {
    logsMock
      .on(FilterLogEventsCommand)
      .resolves({ events: [event('x1', 1, 'a'), event('x2', 2, 'b')], nextToken: 'endless' });
    const { lines } = await cloudWatchSource(logs, [groups[0] as (typeof groups)[0]]).read({
      since: 0,
      limit: 2,
    });
    expect(lines).toHaveLength(2);
    expect(logsMock.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
  });
});

describe('localSource', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks the local journal with the same filters, then from the last seq', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      return new Response(
        JSON.stringify({
          lines: [
            {
              seq: 7,
              time: '2026-01-01T00:00:00.000Z',
              function: 'posts.createPost',
              stream: 'stdout',
              line: 'x',
            },
          ],
          next: 7,
        }),
      );
    });
    const source = localSource('http://localhost:8500', ['posts.createPost', 'comments']);
    const first = await source.read({ since: 1_000, limit: 50, correlationId: 'req-1' });
    expect(first).toEqual({
      lines: [{ time: new Date('2026-01-01T00:00:00.000Z'), function: 'posts.createPost', line: 'x' }],
      cursor: 7,
    });
    await source.read({ since: 1_000, limit: 50 }, first.cursor);
    expect(asked).toEqual([
      'http://localhost:8500/_local/logs?function=posts.createPost&function=comments&correlationId=req-1&since=1000&limit=50',
      'http://localhost:8500/_local/logs?function=posts.createPost&function=comments&since=1000&limit=50&after=7',
    ]);
  });

  it('says how to start the local cloud when it does not answer', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(localSource('http://localhost:8599', []).read({ since: 0, limit: 1 })).rejects.toThrow(
      'The local cloud is not answering at http://localhost:8599 (LC_HTTP_PORT): start it with `npm start`',
    );
  });
});

describe('parseSince and correlationPattern', () => {
  it('reads durations back from now, and ISO times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(parseSince('10m', now)).toBe(Date.parse('2026-01-01T11:50:00Z'));
    expect(parseSince('2h', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseSince('1d', now)).toBe(Date.parse('2025-12-31T12:00:00Z'));
    expect(parseSince('30s', now)).toBe(Date.parse('2026-01-01T11:59:30Z'));
    expect(parseSince('2026-01-01T09:00:00Z', now)).toBe(Date.parse('2026-01-01T09:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow('--since wants a duration such as 10m');
  });

  it('selects the Powertools correlation_id key', () => {
    expect(correlationPattern('abc-123')).toBe('{ $.correlation_id = "abc-123" }');
  });
});
