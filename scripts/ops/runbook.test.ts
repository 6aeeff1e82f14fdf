import { describe, expect, it } from 'vitest';
import { alarmTemplate, headingAnchor, readRunbook } from './runbook';

describe('alarmTemplate', () => {
  it('writes the stage of an alarm name as <stage>, wherever the name carries it', () => {
    expect(alarmTemplate('local-connections-fanout-dlq', 'local')).toBe('<stage>-connections-fanout-dlq');
    expect(alarmTemplate('live-comments-posts-local-comment-events-dlq', 'local')).toBe(
      'live-comments-posts-<stage>-comment-events-dlq',
    );
    expect(alarmTemplate('other-alarm', 'local')).toBe('other-alarm');
  });
});

describe('readRunbook', () => {
  const markdown = [
    '# Runbook',
    '',
    '## posts',
    '',
    '### `live-comments-posts-<stage>-comment-events-dlq`',
    '',
    '**Means**: something.',
    '',
    '- **Look**: there.',
    '- **Fix**: that.',
    '',
    '### `<stage>-connections-fanout-dlq`',
    '',
    '**Means**: only this.',
    '',
    '## General',
    '',
    'text',
  ].join('\n');

  it('finds every alarm heading, its text, and the parts it lacks', () => {
    const entries = readRunbook(markdown);
    expect(entries.map((entry) => [entry.alarm, entry.missing])).toEqual([
      ['live-comments-posts-<stage>-comment-events-dlq', []],
      ['<stage>-connections-fanout-dlq', ['Look', 'Fix']],
    ]);
    expect(entries[1]?.body).toBe('**Means**: only this.');
    expect(entries[0]?.anchor).toBe('live-comments-posts-stage-comment-events-dlq');
  });

  it('makes anchors as GitHub does', () => {
    expect(headingAnchor('`<stage>-connections-fanout-dlq`')).toBe('stage-connections-fanout-dlq');
    expect(headingAnchor('Connection failures')).toBe('connection-failures');
  });
});
