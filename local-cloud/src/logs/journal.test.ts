import { describe, expect, it } from 'vitest';
import { toLogEntry } from './index';
import { createLogJournal } from './journal';

const powertools = (
  message: string,
  extra: Record<string, unknown> = {},
  timestamp = '2026-01-01T10:00:00.000Z',
) => JSON.stringify({ level: 'INFO', message, timestamp, service: 'posts', ...extra });

const entry = (functionKey: string, line: string, now = new Date('2026-01-01T10:00:00.000Z')) =>
  toLogEntry(functionKey, 'stdout', line, { format: 'pretty', color: false, now });

describe('createLogJournal', () => {
  it('keeps every line with its function, time and raw text, oldest first, numbered', () => {
    const journal = createLogJournal();
    journal.record(entry('posts.createPost', powertools('post created', { correlation_id: 'c1' })));
    journal.record(entry('posts.health', 'plain text', new Date('2026-01-01T10:00:01.000Z')));
    const { lines, next } = journal.query({});
    expect(next).toBe(2);
    expect(lines).toEqual([
      {
        seq: 1,
        time: '2026-01-01T10:00:00.000Z',
        function: 'posts.createPost',
        stream: 'stdout',
        line: powertools('post created', { correlation_id: 'c1' }),
      },
      {
        seq: 2,
        time: '2026-01-01T10:00:01.000Z',
        function: 'posts.health',
        stream: 'stdout',
        line: 'plain text',
      },
    ]);
  });

  it('filters by function or service, correlation id, time and seq, as npm run logs asks', () => {
    const journal = createLogJournal();
    journal.record(
      entry('posts.createPost', powertools('a', { correlation_id: 'c1' }, '2026-01-01T10:00:00.000Z')),
    );
    journal.record(
      entry('comments.createComment', powertools('b', { correlation_id: 'c1' }, '2026-01-01T10:00:05.000Z')),
    );
    journal.record(
      entry('posts.createPostX', powertools('c', { correlation_id: 'c2' }, '2026-01-01T10:00:10.000Z')),
    );
    const messages = (query: Parameters<typeof journal.query>[0]) =>
      journal.query(query).lines.map((line) => (JSON.parse(line.line) as { message: string }).message);
    expect(messages({ functions: ['posts.createPost'] })).toEqual(['a']);
    expect(messages({ functions: ['posts'] })).toEqual(['a', 'c']);
    expect(messages({ functions: ['posts.createPost', 'comments'] })).toEqual(['a', 'b']);
    expect(messages({ correlationId: 'c1' })).toEqual(['a', 'b']);
    expect(messages({ since: Date.parse('2026-01-01T10:00:05.000Z') })).toEqual(['b', 'c']);
    expect(messages({ after: 2 })).toEqual(['c']);
    expect(messages({ limit: 2 })).toEqual(['b', 'c']);
  });

  it('drops the oldest lines past its capacity, and keeps counting', () => {
    const journal = createLogJournal({ capacity: 3 });
    for (let index = 1; index <= 5; index++) journal.record(entry('posts.health', `line ${index}`));
    const { lines, next } = journal.query({});
    expect(lines.map((line) => [line.seq, line.line])).toEqual([
      [3, 'line 3'],
      [4, 'line 4'],
      [5, 'line 5'],
    ]);
    expect(next).toBe(5);
    expect(journal.query({ after: 4 }).lines.map((line) => line.line)).toEqual(['line 5']);
  });
});
