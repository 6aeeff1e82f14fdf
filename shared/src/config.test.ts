import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, once } from './config';
import { ConfigError } from './errors';

describe('loadConfig', () => {
  const schema = z.object({ POSTS_TABLE: z.string().min(1), STAGE: z.string().default('dev') });

  it('returns the validated values', () => {
    expect(loadConfig(schema, { POSTS_TABLE: 'posts' })).toEqual({ POSTS_TABLE: 'posts', STAGE: 'dev' });
  });

  it('names every missing variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(ConfigError);
    expect(() => loadConfig(schema, {})).toThrow(/POSTS_TABLE/);
  });
});

describe('once', () => {
  it('builds the value on first use only', () => {
    let builds = 0;
    const get = once(() => ++builds);
    expect([get(), get()]).toEqual([1, 1]);
  });
});
