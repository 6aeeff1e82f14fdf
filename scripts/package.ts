/**
 * `npm run package [-- --stage prod --param jwtIssuer=... --param jwtAudience=...
 * --param allowedOrigins=...]`: packages every stack offline into its
 * CloudFormation template (`<stack>/.serverless/`), then lints each template
 * with cfn-lint when it is installed. Fails on any packaging or cfn-lint error
 * (warnings are printed, not fatal). The stage defaults to `local`, the one
 * stage whose parameters have defaults; every `--param` goes to every stack,
 * after what the stage's `.env` files give (--region and stage parameters,
 * local-cloud/src/stage-env.ts). The bootstrap templates of deploy/bootstrap
 * are linted too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyStageEnv, StageEnvError, serverlessOptions } from '../local-cloud/src/stage-env';
import { root, type Stack, stacks } from './stacks';

const { values } = parseArgs({
  options: { stage: { type: 'string', default: 'local' }, param: { type: 'string', multiple: true } },
});
const stage = values.stage ?? 'local';
const params = (values.param ?? []).flatMap((param) => ['--param', param]);
let options: string[];
try {
  options = serverlessOptions(applyStageEnv(stage));
} catch (error) {
  if (!(error instanceof StageEnvError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const run = (command: string, args: string[], cwd: string) =>
  new Promise<{ code: number; output: string }>((resolvePromise) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });

const packageStack = async (stack: Stack) => {
  const started = Date.now();
  const { code, output } = await run(
    'npx',
    ['serverless', 'package', '--stage', stage, ...options, ...params],
    stack.dir,
  );
  if (code !== 0) throw new Error(`${stack.name}: serverless package failed\n${output}`);
  console.log(`packaged ${stack.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
};

// Two at a time: osls is CPU-bound and these machines have two cores.
const queue = [...stacks()];
await Promise.all(
  Array.from({ length: 2 }, async () => {
    for (let stack = queue.shift(); stack; stack = queue.shift()) await packageStack(stack);
  }),
);

const hasCfnLint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasCfnLint) {
  console.log('cfn-lint is not installed: templates not linted');
} else {
  let failed = false;
  const bootstrap = join(root, 'deploy', 'bootstrap');
  const templates = [
    ...stacks().map((stack) => ({
      name: stack.name,
      dir: stack.dir,
      template: join(stack.dir, '.serverless', 'cloudformation-template-update-stack.json'),
    })),
    ...readdirSync(bootstrap)
      .filter((file) => file.endsWith('.yml'))
      .map((file) => ({ name: `deploy/bootstrap/${file}`, dir: bootstrap, template: join(bootstrap, file) })),
  ];
  for (const { name, dir, template } of templates) {
    const { code, output } = await run('cfn-lint', [template], dir);
    // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational; 1 = it failed to run.
    const errors = code === 1 || (code & 2) !== 0;
    console.log(`cfn-lint ${name}: ${errors ? 'ERRORS' : code === 0 ? 'clean' : 'warnings only'}`);
    if (output.trim()) console.log(output.trim());
    failed ||= errors;
  }
  if (failed) process.exit(1);
}
