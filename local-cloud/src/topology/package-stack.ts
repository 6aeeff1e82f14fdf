import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const oslsBin = join(
  dirname(createRequire(import.meta.url).resolve('osls/package.json')),
  'bin',
  'serverless.js',
);

/** Tests only: `serverless package` of the stack in dir (local stage) into out; its update template. */
export function packageStack<T>(dir: string, out: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [oslsBin, 'package', '--stage', 'local', '--region', 'us-east-1', '--package', out],
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', CI: '1' },
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`serverless package failed in ${dir}:\n${stderr}\n${stdout}`));
        resolve(
          JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as T,
        );
      },
    );
  });
}
