import { ConfigError, loadConfig } from '@live-comments/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from './config';

const complete = {
  STAGE: 'dev',
  EVENT_BUS_NAME: 'live-comments-dev',
  COMMENTS_TABLE: 'dev-comments',
  KNOWN_POSTS_TABLE: 'dev-comments-posts',
  IDEMPOTENCY_TABLE: 'dev-comments-idempotency',
  POSTS_API_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  WRITE_LIMITS_TABLE: 'dev-comments-write-limits',
  COMMENT_WRITES_PER_MINUTE: '10',
  COMMENT_WRITES_BURST: '5',
};

describe('configSchema', () => {
  it('reads the environment serverless.yml sets', () => {
    expect(loadConfig(configSchema, complete)).toEqual({
      ...complete,
      COMMENT_WRITES_PER_MINUTE: 10,
      COMMENT_WRITES_BURST: 5,
    });
  });

  it('names every missing variable', () => {
    const { COMMENTS_TABLE: _, KNOWN_POSTS_TABLE: __, ...partial } = complete;

    expect(() => loadConfig(configSchema, partial)).toThrow(ConfigError);
    expect(() => loadConfig(configSchema, partial)).toThrow(/COMMENTS_TABLE.*KNOWN_POSTS_TABLE/);
  });

  it.each([
    ['not a URL', 'posts-api'],
    ['not HTTP', 'ftp://posts.example.com'],
  ])('refuses a POSTS_API_URL that is %s, naming it', (_, url) => {
    expect(() => loadConfig(configSchema, { ...complete, POSTS_API_URL: url })).toThrow(/POSTS_API_URL/);
  });
});

describe('a handler module', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails when imported (the cold start) without a variable it needs, naming it', async () => {
    vi.stubEnv('COMMENTS_TABLE', undefined);
    vi.resetModules();

    await expect(import('./handlers/create-comment')).rejects.toThrow(/COMMENTS_TABLE/);
  });
});
