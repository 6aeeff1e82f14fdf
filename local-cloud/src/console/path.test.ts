import { describe, expect, it } from 'vitest';
import type { JournalLine } from '../logs/journal';
import type { BusEventRow } from './model';
import { logLineRow, pathOf } from './path';

const line = (seq: number, time: string, fn: string, json: Record<string, unknown>): JournalLine => ({
  seq,
  time,
  function: fn,
  stream: 'stdout',
  line: JSON.stringify({ level: 'INFO', correlation_id: 'corr-1', ...json }),
});

describe('a request’s path', () => {
  it('puts the HTTP invocation, the event, its queues, the consumer and its frames in time order', () => {
    const event: BusEventRow = {
      id: 'event-1',
      busName: 'live-comments-local',
      source: 'live-comments.comments',
      detailType: 'CommentCreated',
      receivedAt: '2026-12-06T10:00:00.100Z',
      correlationId: 'corr-1',
      detail: { correlationId: 'corr-1' },
      targets: [
        {
          ruleName: 'local-connections-comment-events',
          target: 'local-connections-comment-events',
          outcome: 'delivered',
        },
        {
          ruleName: 'local-posts-comment-events',
          target: 'local-posts-comment-events',
          outcome: 'dead-lettered',
          errorCode: 'NO_RESOURCE',
        },
      ],
    };
    const lines = [
      line(1, '2026-12-06T10:00:00.400Z', 'connections.broadcast', {
        message: 'Broadcast page sent',
        topic: 'post:p1',
        delivered: 2,
        gone: 1,
      }),
      line(2, '2026-12-06T10:00:00.450Z', 'connections.broadcast', {
        level: 'ERROR',
        message: 'Frames abandoned',
      }),
    ];
    const request = {
      at: '2026-12-06T10:00:00.000Z',
      routeKey: 'POST /api/v1/posts/{postId}/comments',
      functionKey: 'comments.createComment',
      status: 201,
      durationMs: 42,
      correlationId: 'corr-1',
    };
    expect(pathOf(lines, [event], [request])).toEqual([
      {
        kind: 'invocation',
        at: '2026-12-06T10:00:00.000Z',
        name: 'comments.createComment',
        detail: 'POST /api/v1/posts/{postId}/comments: 201 in 42 ms',
      },
      {
        kind: 'event',
        at: event.receivedAt,
        name: 'CommentCreated',
        detail: 'event-1 on live-comments-local',
      },
      {
        kind: 'queue',
        at: event.receivedAt,
        name: 'local-connections-comment-events',
        detail: 'rule local-connections-comment-events: delivered',
      },
      {
        kind: 'queue',
        at: event.receivedAt,
        name: 'local-posts-comment-events',
        detail: 'rule local-posts-comment-events: dead-lettered (NO_RESOURCE)',
        failed: true,
      },
      {
        kind: 'invocation',
        at: '2026-12-06T10:00:00.400Z',
        name: 'connections.broadcast',
        detail: '2 log lines, with errors',
        failed: true,
      },
      {
        kind: 'frames',
        at: '2026-12-06T10:00:00.400Z',
        name: 'post:p1',
        detail: 'frames: 2 delivered, 1 gone',
        failed: false,
      },
    ]);
  });

  it('reads a journal line for the log view: level, message, correlation id; other lines as written', () => {
    expect(logLineRow(line(3, '2026-12-06T10:00:00.000Z', 'posts.getPost', { message: 'hi' }))).toEqual({
      seq: 3,
      time: '2026-12-06T10:00:00.000Z',
      function: 'posts.getPost',
      level: 'INFO',
      message: 'hi',
      correlationId: 'corr-1',
    });
    expect(
      logLineRow({
        seq: 4,
        time: '2026-12-06T10:00:00.000Z',
        function: 'posts.getPost',
        stream: 'stderr',
        line: 'boom',
      }),
    ).toEqual({
      seq: 4,
      time: '2026-12-06T10:00:00.000Z',
      function: 'posts.getPost',
      level: 'ERROR',
      message: 'boom',
    });
  });
});
