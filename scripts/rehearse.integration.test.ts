/**
 * `npm run rehearse` on the local stage: every packaged stack deployed into
 * moto's server in compose order succeeds. Skipped with a notice where
 * moto_server is not installed (pip install "moto[server]").
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMotoServer, MOTO_MISSING_NOTICE } from '../local-cloud/src/external-edge/moto';
import { root, stacks } from './stacks';

const hasMoto = hasMotoServer();
if (!hasMoto) console.warn(`${MOTO_MISSING_NOTICE}: deploy rehearsal skipped`);

describe.skipIf(!hasMoto)('deploy rehearsal', () => {
  it('deploys every stack into moto, in compose order', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'rehearse.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 420_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    const rehearsed = [...output.matchAll(/^rehearsed (\S+):/gm)].map((match) => match[1]);
    expect(rehearsed).toEqual(stacks().map((stack) => expect.stringContaining(stack.name)));
  }, 480_000);
});
