import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from './contract';
import { CommentCreatedV1, CommentDeletedV1, PostCreatedV1 } from './contracts';
import { eventPatternOf, rulePatterns } from './patterns';

const CommentCreatedV2 = defineEvent({
  source: CommentCreatedV1.source,
  detailType: 'CommentCreated',
  version: 2,
  data: z.object({ id: z.string() }),
});

describe('eventPatternOf', () => {
  it('filters on the source, the detail-types and their version', () => {
    expect(eventPatternOf([CommentCreatedV1, CommentDeletedV1])).toEqual({
      source: ['live-comments.comments'],
      'detail-type': ['CommentCreated', 'CommentDeleted'],
      detail: { version: [1] },
    });
  });

  it('lists every version of a detail-type the consumer declares', () => {
    expect(eventPatternOf([CommentCreatedV2, CommentCreatedV1])).toEqual({
      source: ['live-comments.comments'],
      'detail-type': ['CommentCreated'],
      detail: { version: [1, 2] },
    });
  });

  it('keeps detail-types with other versions, and other sources, in branches of their own', () => {
    expect(eventPatternOf([CommentCreatedV1, CommentCreatedV2, CommentDeletedV1, PostCreatedV1])).toEqual({
      $or: [
        {
          source: ['live-comments.comments'],
          'detail-type': ['CommentCreated'],
          detail: { version: [1, 2] },
        },
        { source: ['live-comments.comments'], 'detail-type': ['CommentDeleted'], detail: { version: [1] } },
        { source: ['live-comments.posts'], 'detail-type': ['PostCreated'], detail: { version: [1] } },
      ],
    });
  });

  it('refuses a rule without contracts', () => {
    expect(() => eventPatternOf([])).toThrow(/at least one contract/);
  });
});

describe('patterns.json', () => {
  it('is written from the contracts (run `npm run patterns -w events` after changing ruleContracts)', () => {
    const published = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'patterns.json'), 'utf8'));
    expect(published).toEqual(rulePatterns());
  });
});
