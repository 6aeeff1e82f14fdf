import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, parseEventMessage } from './consumer';
import { CommentCreatedV1, CommentDeletedV1, PostCreatedV1 } from './contracts';

const sample = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'samples', `${name}.json`), 'utf8'));

describe('parseEventMessage', () => {
  const contracts = [CommentCreatedV1, CommentDeletedV1] as const;

  it('picks the contract by source, detail-type and version', () => {
    const parsed = parseEventMessage(contracts, JSON.stringify(sample('CommentDeleted.v1')));
    expect(parsed.detailType).toBe('CommentDeleted');
    expect(parsed.envelope.source).toBe('live-comments.comments');
  });

  it('rejects a body that is not JSON', () => {
    expect(() => parseEventMessage(contracts, 'not json')).toThrow(InvalidEventError);
  });

  it('rejects an event of a contract the consumer does not accept', () => {
    expect(() => parseEventMessage(contracts, JSON.stringify(sample('PostCreated.v1')))).toThrow(
      /No contract for live-comments.posts PostCreated v1/,
    );
  });

  it('rejects an unknown version', () => {
    const event = sample('CommentCreated.v1');
    event.detail.version = 2;
    expect(() => parseEventMessage(contracts, JSON.stringify(event))).toThrow(/v2/);
  });

  it('rejects a detail that breaks the contract', () => {
    const event = sample('CommentCreated.v1');
    event.detail.data.seq = 0;
    expect(() => parseEventMessage(contracts, JSON.stringify(event))).toThrow(/detail is invalid/);
  });

  it('accepts a sample of the producer for every consumer that lists its contract', () => {
    expect(
      parseEventMessage([PostCreatedV1], JSON.stringify(sample('PostCreated.v1'))).detail.data.title,
    ).toBe('Launch day');
  });
});
