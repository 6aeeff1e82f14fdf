/**
 * `npm run deploy -- --stage <stage>`: deploys every stack of
 * serverless-compose.yml to AWS, in its order (the bus first), each with
 * `serverless deploy` in its folder, then prints `npm run info`. The stage's
 * `.env` and `.env.<stage>` files and the environment give serverless its
 * `--region` (AWS_REGION) and the stage parameters (JWT_ISSUER, JWT_AUDIENCE,
 * ALLOWED_ORIGINS, LOG_LEVEL as --param), each checked first; credentials are
 * the SDK's usual ones (the pipeline's OIDC role, or AWS_PROFILE).
 *
 * Not `osls-compose deploy`: compose passes a service only the params written
 * in serverless-compose.yml, never those on its command line, and osls reads
 * a `.env` only with `useDotenv: true` in a serverless.yml, from that
 * service's own folder, and `.env.<stage>` or `.env`, never both. The params
 * serverless-compose.yml does write (comments' postsApiUrl: the posts stack's
 * HttpApiUrl output) are resolved here as compose would, from the stacks
 * deployed before (scripts/ops/compose-params.ts).
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { applyStageEnv, StageEnvError, serverlessOptions } from '../local-cloud/src/stage-env';
import { OpsError } from './ops/aws-stacks';
import { composeParams, stackOutputs } from './ops/compose-params';
import { root, type Stack, stacks } from './stacks';

const { values } = parseArgs({ options: { stage: { type: 'string' } } });

const say = (line: string) => process.stdout.write(`[deploy] ${line}\n`);

const run = (command: string, args: string[], cwd: string) =>
  new Promise<number>((resolvePromise) => {
    const child = spawn(command, args, {
      cwd,
      stdio: 'inherit',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
    child.on('close', (code) => resolvePromise(code ?? 1));
  });

const main = async () => {
  const stage = values.stage;
  if (!stage) throw new StageEnvError('usage: npm run deploy -- --stage <stage> (staging, production, ...)');
  if (stage === 'local') throw new StageEnvError('The local stage is npm start, not a deploy.');
  const env = applyStageEnv(stage);
  const options = serverlessOptions(env);
  say(
    `stage ${stage}${env.files.length ? `, configuration from ${env.files.join(', ')}` : ''}` +
      `${options.length ? `; serverless ${options.map((option) => option.replace(/^(--param=[^=]+=).*/, '$1…')).join(' ')}` : ''}`,
  );
  const all: Stack[] = stacks();
  const region = env.values.AWS_REGION ?? env.values.AWS_DEFAULT_REGION;
  const cfn = new CloudFormationClient(region ? { region } : {});
  const outputOf = stackOutputs(cfn, all, stage);
  for (const stack of all) {
    const fromCompose = await composeParams(stack, stage, outputOf);
    say(
      `${stack.name}: serverless deploy --stage ${stage}${fromCompose.length ? ` ${fromCompose.join(' ')}` : ''}`,
    );
    const started = Date.now();
    const code = await run(
      'npx',
      ['serverless', 'deploy', '--stage', stage, ...options, ...fromCompose],
      stack.dir,
    );
    if (code !== 0) {
      cfn.destroy();
      say(
        `${stack.name} failed (exit ${code}); the stacks after it were not deployed. ` +
          'CloudFormation rolled this one back; see docs/RUNBOOK.md (rolling back).',
      );
      process.exit(code);
    }
    say(`${stack.name} deployed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  cfn.destroy();
  process.exit(await run('npx', ['tsx', 'scripts/info.ts', '--stage', stage], root));
};

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof StageEnvError || error instanceof OpsError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
