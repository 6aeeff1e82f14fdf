import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakingChanges } from './compatibility';
import { parseEventMessage } from './consumer';
import { allContracts } from './contracts';
import { detailJsonSchema } from './json-schema';

const read = (folder: string, name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', folder, `${name}.json`), 'utf8'));

describe.each(allContracts.map((contract) => [contract.name, contract] as const))('%s', (name, contract) => {
  it('parses its published sample event', () => {
    const sample = read('samples', name);
    const parsed = parseEventMessage([contract], JSON.stringify(sample));
    expect(parsed.detailType).toBe(contract.detailType);
    expect(parsed.detail.version).toBe(contract.version);
  });

  it('has no breaking change against its published JSON Schema', () => {
    expect(breakingChanges(read('schemas', name), detailJsonSchema(contract))).toEqual([]);
  });

  it('has its JSON Schema published (run `npm run schemas -w events` after an additive change)', () => {
    expect(detailJsonSchema(contract)).toEqual(read('schemas', name));
  });
});

describe('breakingChanges', () => {
  const published = {
    type: 'object',
    properties: {
      id: { type: 'string', maxLength: 64 },
      seq: { type: 'integer' },
      note: { type: 'string' },
    },
    required: ['id', 'seq'],
  };

  it('accepts an added optional property', () => {
    const current = { ...published, properties: { ...published.properties, extra: { type: 'string' } } };
    expect(breakingChanges(published, current)).toEqual([]);
  });

  it('reports a removed property', () => {
    const { note: _note, ...properties } = published.properties;
    expect(breakingChanges(published, { ...published, properties })).toEqual(['$.note: removed']);
  });

  it('reports a property that is no longer required', () => {
    expect(breakingChanges(published, { ...published, required: ['id'] })).toEqual([
      '$.seq: no longer required',
    ]);
  });

  it('reports an added required property', () => {
    const current = {
      ...published,
      properties: { ...published.properties, extra: { type: 'string' } },
      required: ['id', 'seq', 'extra'],
    };
    expect(breakingChanges(published, current)).toEqual([
      '$.extra: added as required (old events and replays lack it)',
    ]);
  });

  it('reports a narrowed bound and a changed type', () => {
    const current = {
      ...published,
      properties: { ...published.properties, id: { type: 'string', maxLength: 32 }, seq: { type: 'string' } },
    };
    expect(breakingChanges(published, current)).toEqual([
      '$.id: "maxLength" changed from 64 to 32',
      '$.seq: "type" changed from "integer" to "string"',
    ]);
  });
});
