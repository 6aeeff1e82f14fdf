import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webBuildHash } from './build';
import { tempTree } from './testing';

/** A repository's inputs of the web build, in a folder of their own. */
const repository = () => {
  const { root, write } = tempTree('web-hash-');
  write('web/app/page.tsx', 'export default 1');
  write('web/next.config.ts', 'export default {}');
  write('react/src/index.ts', 'export {}');
  write('client/src/index.ts', 'export {}');
  write('events/src/websocket.ts', 'export {}');
  write('package-lock.json', '{}');
  write('tsconfig.json', '{}');
  return { root, write };
};

describe('the web build’s cache key', () => {
  it('changes with the app, the packages it bundles and the lockfile', async () => {
    const { root, write } = repository();
    const first = await webBuildHash(root, {});
    expect(await webBuildHash(root, {})).toBe(first);
    const keys = new Set([first]);
    for (const [path, text] of [
      ['web/app/page.tsx', 'export default 2'],
      ['react/src/index.ts', 'export const a = 1'],
      ['client/src/index.ts', 'export const b = 1'],
      ['events/src/websocket.ts', 'export const c = 1'],
      ['package-lock.json', '{"next":"16"}'],
      ['web/src/new-file.tsx', 'export {}'],
    ] as const) {
      write(path, text);
      keys.add(await webBuildHash(root, {}));
    }
    expect(keys.size).toBe(7);
  });

  it('ignores the build’s own output, what Next.js writes, this server and the tests', async () => {
    const { root, write } = repository();
    const before = await webBuildHash(root, {});
    write('web/out/index.html', 'built');
    write('web/.next/cache/x', 'cache');
    write('web/next-env.d.ts', '/// <reference types="next" />');
    write('web/server/index.ts', 'server');
    write('react/src/hooks.test.tsx', 'test');
    write('web/node_modules/x/index.js', 'dependency');
    expect(await webBuildHash(root, {})).toBe(before);
  });

  it('changes with the NEXT_PUBLIC_ variables, which the build inlines, and no others', async () => {
    const { root } = repository();
    const copy = mkdtempSync(join(tmpdir(), 'web-hash-copy-'));
    cpSync(root, copy, { recursive: true });
    const plain = await webBuildHash(root, { HOME: '/root' });
    expect(await webBuildHash(copy, { HOME: '/elsewhere' })).toBe(plain);
    expect(await webBuildHash(root, { NEXT_PUBLIC_API_BASE_URL: 'https://api.example.com' })).not.toBe(plain);
  });
});
