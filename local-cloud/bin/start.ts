/**
 * `npm start` (and `npm run dev` with --watch): the whole system on this
 * machine, web app included. Options: --watch (reload functions and rebuild
 * the web app on change), --raw-logs (function logs as raw JSON), --quiet (no
 * function logs). Ports: LC_WEB_PORT, LC_HTTP_PORT, LC_WS_PORT, LC_EDGE_PORT;
 * host: LC_HOST. For tests and benchmarks: LC_ACCOUNT_RPS, LC_ACCOUNT_BURST,
 * LC_NEW_CONNECTIONS_RPS (API Gateway's throttling, AWS's defaults unless set),
 * LC_FAULTS (a fault plan as JSON), LC_VISIBILITY_SCALE (SQS visibility
 * timeouts multiplied); see src/edge/README.md. Each from the environment or
 * the root's `.env` and `.env.local` (src/stage-env.ts), checked before
 * anything starts.
 */
import { parseArgs } from 'node:util';
import { startLocalCloud } from '../src/index';
import { PortInUseError } from '../src/listen-ports';
import { SettingsError } from '../src/settings-error';
import { applyStageEnv, StageEnvError } from '../src/stage-env';
import { summary } from '../src/summary';

const { values } = parseArgs({
  options: {
    watch: { type: 'boolean', default: false },
    'raw-logs': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const say = (message: string) => process.stdout.write(`[local-cloud] ${message}\n`);

try {
  const { files } = applyStageEnv('local');
  if (files.length > 0) say(`configuration from ${files.join(', ')}`);
} catch (error) {
  if (!(error instanceof StageEnvError)) throw error;
  process.stderr.write(`[local-cloud] ${error.message}\n`);
  process.exit(1);
}

try {
  const cloud = await startLocalCloud({
    watch: values.watch ?? false,
    logs: values.quiet ? 'off' : values['raw-logs'] ? 'json' : 'pretty',
    say,
  });
  process.stdout.write(summary(cloud, { watch: values.watch ?? false }));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    say(`${signal}: stopping…`);
    await cloud.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof PortInUseError || error instanceof SettingsError) {
    process.stderr.write(`[local-cloud] ${error.message}\n`);
  } else {
    process.stderr.write(
      `[local-cloud] could not start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  }
  process.exit(1);
}
