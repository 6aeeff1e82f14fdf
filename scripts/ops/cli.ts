import { StageEnvError } from '../../local-cloud/src/stage-env';
import { OpsError } from './aws-stacks';

/**
 * Runs an operating command's main: a mistake of the caller's (bad flags, a
 * missing stack, a bad .env) is one line (with the usage for bad flags), any
 * other failure its stack; either way the exit code is 1.
 */
export const runCommand = (main: () => Promise<void>, usage: string) => {
  main().catch((error: unknown) => {
    const badFlags = String((error as { code?: string })?.code).startsWith('ERR_PARSE_ARGS');
    const known = badFlags || error instanceof OpsError || error instanceof StageEnvError;
    process.stderr.write(
      `${known ? (error as Error).message : String((error as Error)?.stack ?? error)}${badFlags ? `\n${usage}` : ''}\n`,
    );
    process.exitCode = 1;
  });
};
