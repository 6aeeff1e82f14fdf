import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  commentCreatedFrame,
  commentDeletedFrame,
  errorFrame,
  FEED_TOPIC,
  parseTopic,
  pongFrame,
  postTopic,
  type ServerFrame,
  subscribedFrame,
  unsubscribedFrame,
} from './websocket';

/**
 * docs/API.md's "Server to client" block: per frame type, its keys in the
 * order written there, `?` marking an optional one (`"requestId"?: ...`).
 */
const documentedServerFrames = (): Map<string, string[]> => {
  const api = readFileSync(join(import.meta.dirname, '../../docs/API.md'), 'utf8');
  const section = api.slice(api.indexOf('Server to client:'));
  const [, block = ''] = /```\n([\s\S]*?)```/.exec(section) ?? [];
  return new Map(
    block
      .trim()
      .split('\n')
      .map((line) => [
        /"type": "([^"]+)"/.exec(line)?.[1] ?? line,
        [...line.matchAll(/"(\w+)"(\?)?:/g)].map(([, key, optional]) => `${key}${optional ?? ''}`),
      ]),
  );
};

const sample = (name: string) =>
  (
    JSON.parse(readFileSync(join(import.meta.dirname, '../samples', `${name}.json`), 'utf8')) as {
      detail: { eventId: string; data: never };
    }
  ).detail;

const created = sample('CommentCreated.v1');
const deleted = sample('CommentDeleted.v1');
const at = '2026-11-01T09:31:00.000Z';

/** Each builder, with and without a requestId where its frame echoes one. */
const built: Record<string, { withRequestId: ServerFrame; without: ServerFrame }> = {
  subscribed: { withRequestId: subscribedFrame('feed', at, 'r1'), without: subscribedFrame('feed', at) },
  unsubscribed: { withRequestId: unsubscribedFrame('feed', 'r2'), without: unsubscribedFrame('feed') },
  pong: { withRequestId: pongFrame('r3'), without: pongFrame() },
  error: {
    withRequestId: errorFrame('invalid_topic', 'Unknown topic.', 'r4'),
    without: errorFrame('invalid_frame', 'Not JSON.'),
  },
  'comment.created': {
    withRequestId: commentCreatedFrame('feed', created.eventId, created.data),
    without: commentCreatedFrame('feed', created.eventId, created.data),
  },
  'comment.deleted': {
    withRequestId: commentDeletedFrame('post:p1', deleted.eventId, deleted.data),
    without: commentDeletedFrame('post:p1', deleted.eventId, deleted.data),
  },
};

describe('server frames', () => {
  it('has a builder for every frame API.md declares, and none it does not', () => {
    expect(Object.keys(built).sort()).toEqual([...documentedServerFrames().keys()].sort());
  });

  it.each([...documentedServerFrames()])(
    'builds %s with exactly the keys of API.md, in order',
    (type, keys) => {
      const frames = built[type];
      expect(frames?.withRequestId.type).toBe(type);
      expect(Object.keys(frames?.withRequestId ?? {})).toEqual(keys.map((key) => key.replace('?', '')));
      expect(Object.keys(frames?.without ?? {})).toEqual(keys.filter((key) => !key.endsWith('?')));
    },
  );

  it('writes the frames as the wire carries them', () => {
    expect(JSON.stringify(subscribedFrame('post:p1', at, 'r1'))).toBe(
      '{"type":"subscribed","topic":"post:p1","at":"2026-11-01T09:31:00.000Z","requestId":"r1"}',
    );
    expect(JSON.stringify(unsubscribedFrame('feed'))).toBe('{"type":"unsubscribed","topic":"feed"}');
    expect(JSON.stringify(pongFrame('r3'))).toBe('{"type":"pong","requestId":"r3"}');
    expect(JSON.stringify(errorFrame('internal_error', 'Try again.'))).toBe(
      '{"type":"error","code":"internal_error","message":"Try again."}',
    );
  });

  it('carries a comment event as the contract has it, on the topic it is sent to', () => {
    expect(commentCreatedFrame('feed', created.eventId, created.data)).toStrictEqual({
      type: 'comment.created',
      topic: 'feed',
      eventId: created.eventId,
      data: created.data,
    });
    expect(commentDeletedFrame('post:p1', deleted.eventId, deleted.data)).toStrictEqual({
      type: 'comment.deleted',
      topic: 'post:p1',
      eventId: deleted.eventId,
      data: deleted.data,
    });
  });
});

describe('topics', () => {
  it.each([
    ['feed', FEED_TOPIC],
    ['post:01JD8Z6K3Q', 'post:01JD8Z6K3Q'],
    ['post:a_b-C9', 'post:a_b-C9'],
    [`post:${'x'.repeat(64)}`, postTopic('x'.repeat(64))],
  ])('reads %s as a topic', (value, topic) => {
    expect(parseTopic(value)).toBe(topic);
  });

  it.each([
    ['an unknown shape', 'comments:1'],
    ['a post id with a slash', 'post:a/b'],
    ['an empty post id', 'post:'],
    ['a post id longer than 64 characters', `post:${'x'.repeat(65)}`],
    ['a feed in capitals', 'FEED'],
    ['no string', 7],
    ['nothing', undefined],
  ])('refuses %s', (_case, value) => {
    expect(parseTopic(value)).toBeUndefined();
  });
});
