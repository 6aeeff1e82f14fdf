import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir } from '@live-comments/shared/testing';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from './pattern';

const corpusDir = join(conformanceDir, 'eventbridge-patterns');

interface Case {
  Event: unknown;
  EventPattern: unknown;
}

const files = readdirSync(corpusDir).filter((file) => file.endsWith('.json5'));
const read = (file: string) => JSON5.parse(readFileSync(join(corpusDir, file), 'utf8')) as Case;

/** AWS's recorded messages, by case name. */
const awsMessages = new Map<string, string>();
const snapshot = JSON.parse(
  readFileSync(join(corpusDir, 'aws-validation-errors.snapshot.json'), 'utf8'),
) as Record<
  string,
  { 'recorded-content': Record<string, { exception_message?: { Error?: { Message?: string } } }> }
>;
for (const entry of Object.values(snapshot)) {
  for (const [name, content] of Object.entries(entry['recorded-content'])) {
    const message = content.exception_message?.Error?.Message;
    if (message) awsMessages.set(name, message);
  }
}

describe('event pattern corpus', () => {
  it('holds the 155 cases the README describes', () => {
    expect(files).toHaveLength(155);
  });

  for (const file of files) {
    const name = file.replace(/\.json5$/, '');
    if (name.endsWith('_EXC')) {
      it(`rejects ${name}`, () => {
        const { EventPattern } = read(file);
        let error: unknown;
        try {
          compileEventPattern(EventPattern);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(InvalidEventPatternError);
        const expected = awsMessages.get(name);
        if (expected) expect((error as Error).message).toBe(expected);
      });
    } else {
      const shouldMatch = !name.endsWith('_NEG');
      it(`${shouldMatch ? 'matches' : 'does not match'} ${name}`, () => {
        const { Event, EventPattern } = read(file);
        expect(matchesEventPattern(EventPattern, Event)).toBe(shouldMatch);
      });
    }
  }

  it('matches the complex multi-key event pair', () => {
    const event = JSON.parse(readFileSync(join(corpusDir, 'complex_multi_key_event.json'), 'utf8'));
    const pattern = JSON.parse(readFileSync(join(corpusDir, 'complex_multi_key_event_pattern.json'), 'utf8'));
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });
});

describe('parseEventPattern', () => {
  it('rejects text that is not JSON', () => {
    expect(() => parseEventPattern('{"not": closed')).toThrow(InvalidEventPatternError);
  });

  it('rejects JSON that is not an object with AWS message', () => {
    expect(() => parseEventPattern('["a"]')).toThrow(
      'Event pattern is not valid. Reason: Filter is not an object',
    );
  });

  it('treats an escaped star in a wildcard as a literal star', () => {
    const pattern = parseEventPattern('{"name":[{"wildcard":"a\\\\*b"}]}');
    expect(pattern.matches({ name: 'a*b' })).toBe(true);
    expect(pattern.matches({ name: 'axxb' })).toBe(false);
  });
});
