import { describe, expect, it } from 'vitest';
import { createLogSink, type LogEntry, lineSplitter, toLogEntry } from './index';

const powertoolsLine = JSON.stringify({
  level: 'INFO',
  message: 'post created',
  timestamp: '2025-01-02T03:04:05.678Z',
  service: 'posts',
  cold_start: true,
  function_request_id: 'abc',
  postId: 'p1',
});

describe('toLogEntry', () => {
  it('renders Powertools lines as time, function, level, message and extra keys', () => {
    const entry = toLogEntry('posts.createPost', 'stdout', powertoolsLine, {
      format: 'pretty',
      color: false,
    });
    const time = new Date('2025-01-02T03:04:05.678Z');
    const hh = String(time.getHours()).padStart(2, '0');
    expect(entry.formatted).toBe(
      `${hh}:${String(time.getMinutes()).padStart(2, '0')}:05.678 posts.createPost INFO post created {"postId":"p1"}`,
    );
    expect(entry).toMatchObject({ level: 'INFO', message: 'post created' });
  });

  it('passes other lines through behind the prefix', () => {
    const entry = toLogEntry('posts.health', 'stderr', 'plain text', {
      format: 'pretty',
      color: false,
      now: new Date(2025, 0, 1, 9, 8, 7, 6),
    });
    expect(entry.formatted).toBe('09:08:07.006 posts.health plain text');
  });

  it('colors the level on a terminal', () => {
    const entry = toLogEntry('a.b', 'stdout', '{"level":"ERROR","message":"boom"}', {
      format: 'pretty',
      color: true,
    });
    expect(entry.formatted).toContain('\u001b[31mERROR\u001b[0m');
  });

  it('appends an error stack on its own lines', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'failed',
      error: { name: 'Error', stack: 'Error: x\n  at y' },
    });
    expect(toLogEntry('a.b', 'stdout', line, { format: 'pretty', color: false }).formatted).toContain(
      '\n    Error: x\n      at y',
    );
  });

  it('shows embedded-metric lines as metrics', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'ColdStart', Unit: 'Count' }] },
        ],
      },
      service: 'posts',
      ColdStart: 1,
    });
    const entry = toLogEntry('posts.health', 'stdout', line, {
      format: 'pretty',
      color: false,
      now: new Date(2025, 0, 1),
    });
    expect(entry.formatted).toBe('00:00:00.000 posts.health METRIC ColdStart=1 Count');
  });

  it('adds the function key to JSON lines in json mode without touching the rest', () => {
    const entry = toLogEntry('posts.createPost', 'stdout', powertoolsLine, { format: 'json', color: false });
    expect(entry.formatted).toBe(`{"function":"posts.createPost",${powertoolsLine.slice(1)}`);
    expect(JSON.parse(entry.formatted)).toMatchObject({ function: 'posts.createPost', postId: 'p1' });
  });

  it('wraps plain lines in a JSON object in json mode', () => {
    const entry = toLogEntry('a.b', 'stderr', 'oops', { format: 'json', color: false });
    expect(JSON.parse(entry.formatted)).toMatchObject({ function: 'a.b', stream: 'stderr', message: 'oops' });
  });
});

describe('createLogSink', () => {
  it('hands entries to onLog instead of writing', () => {
    const entries: LogEntry[] = [];
    const written: string[] = [];
    const sink = createLogSink({
      onLog: (entry) => entries.push(entry),
      output: { write: (t: string) => written.push(t) },
    });
    sink.write('a.b', 'stdout', 'hello');
    expect(entries.map((entry) => entry.line)).toEqual(['hello']);
    expect(written).toEqual([]);
  });

  it('writes formatted lines to the output', () => {
    const written: string[] = [];
    createLogSink({ output: { write: (t: string) => written.push(t) } }).write('a.b', 'stdout', 'hello');
    expect(written[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} a\.b hello\n$/);
  });
});

describe('lineSplitter', () => {
  it('joins chunks into lines and flushes the rest', () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    splitter.push('one\ntw');
    splitter.push('o\r\nthree');
    expect(lines).toEqual(['one', 'two']);
    splitter.flush();
    expect(lines).toEqual(['one', 'two', 'three']);
  });
});
