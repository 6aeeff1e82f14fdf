import { afterEach, describe, expect, it, vi } from 'vitest';

/** Imports a handler module afresh, as Lambda's init phase does, with the given variables deleted. */
const importWithout = async (module: string, ...variables: string[]) => {
  vi.resetModules();
  vi.unstubAllEnvs();
  for (const name of variables) vi.stubEnv(name, undefined);
  return import(module);
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('configuration, loaded as a handler module is imported (cold start)', () => {
  it.each([
    ['./handlers/connect', 'JWT_ISSUER'],
    ['./handlers/disconnect', 'CONNECTIONS_TABLE'],
    ['./handlers/message', 'WEBSOCKET_API_ENDPOINT'],
    ['./handlers/message', 'MAX_SUBSCRIPTIONS_PER_CONNECTION'],
    ['./handlers/message', 'FRAMES_PER_SECOND'],
    ['./handlers/count-connections', 'SUBSCRIPTIONS_TABLE'],
    ['./handlers/sweep-connections', 'CONNECTIONS_TABLE'],
    ['./handlers/broadcast', 'FANOUT_QUEUE_URL'],
    ['./handlers/broadcast-page', 'IDEMPOTENCY_TABLE'],
  ])('fails %s without %s, naming it', async (module, variable) => {
    await expect(importWithout(module, variable)).rejects.toThrow(new RegExp(`\\b${variable}\\b`));
  });

  it('asks each function only for its own variables', async () => {
    const others = ['JWT_ISSUER', 'JWT_AUDIENCE', 'ALLOWED_ORIGINS', 'IDEMPOTENCY_TABLE', 'FANOUT_QUEUE_URL'];
    await expect(importWithout('./handlers/message', ...others)).resolves.toBeDefined();
    await expect(
      importWithout('./handlers/disconnect', 'WEBSOCKET_API_ENDPOINT', 'FRAMES_PER_SECOND', ...others),
    ).resolves.toBeDefined();
  });
});
