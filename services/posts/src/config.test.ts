import { afterEach, describe, expect, it, vi } from 'vitest';

describe('a posts handler at cold start', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('loads with the environment serverless.yml gives it', async () => {
    vi.resetModules();
    await expect(import('./handlers/create-post')).resolves.toHaveProperty('handler');
  });

  it('fails to load without POSTS_TABLE, naming the variable', async () => {
    vi.stubEnv('POSTS_TABLE', undefined);
    expect(process.env.POSTS_TABLE).toBeUndefined();
    vi.resetModules();
    await expect(import('./handlers/create-post')).rejects.toThrow(/Invalid configuration: POSTS_TABLE: /);
  });
});
