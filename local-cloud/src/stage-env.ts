/**
 * Per-stage configuration files, the seed's habit: `.env` for every stage and
 * `.env.<stage>` for one (`.env.local` is `npm start`'s stage), at the
 * repository root. The process environment wins over `.env.<stage>`, which
 * wins over `.env`. Every variable is checked before anything starts, and a
 * bad one is named with the file it came from; a name the files set that this
 * project does not know is refused (a typo would otherwise be ignored).
 *
 * Read by `npm start` (the LC_* ports and host), `npm run logs`, `info`, `dlq`
 * (the local ports, AWS_PROFILE and AWS_REGION), and `npm run package` and
 * `deploy` (the region and the stage parameters, passed to serverless as
 * `--region` and `--param`). The functions validate their own environment at
 * cold start (their config.ts); serverless.yml sets it, not these files.
 * It lives with the local cloud, which reads it first, so that scripts/ import
 * it and nothing here imports scripts/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { localSettings } from './settings';
import { SettingsError } from './settings-error';

/** The repository root, where the `.env` files are. */
const root = resolve(import.meta.dirname, '..', '..');

export class StageEnvError extends Error {
  override name = 'StageEnvError';
}

type Check = (value: string) => string | undefined;

const port: Check = (value) =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535
    ? undefined
    : 'must be a whole number between 1 and 65535';

const nonEmpty: Check = (value) => (/\s/.test(value) ? 'must not contain spaces' : undefined);

const region: Check = (value) =>
  /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value) ? undefined : 'must be an AWS region such as us-east-1';

const isLocalHost = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

const issuer: Check = (value) => {
  const url = parseUrl(value);
  if (!url) return 'must be a URL such as https://cognito-idp.<region>.amazonaws.com/<poolId>';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url)))
    return 'must be an https URL (http only for localhost)';
  return undefined;
};

const origins: Check = (value) => {
  for (const origin of value.split(',').map((one) => one.trim())) {
    const url = parseUrl(origin);
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
      return `must be a comma-separated list of origins (scheme://host[:port], no path); "${origin}" is not one`;
  }
  return undefined;
};

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const logLevel: Check = (value) =>
  LOG_LEVELS.includes(value) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}`;

const anything: Check = () => undefined;

/** One of the local cloud's test and benchmark knobs, checked as `npm start` will read it (settings.ts). */
const setting =
  (name: string): Check =>
  (value) => {
    try {
      localSettings({}, { [name]: value });
      return undefined;
    } catch (error) {
      if (error instanceof SettingsError) return error.message.replace(`${name}: `, '');
      throw error;
    }
  };

export interface VariableSpec {
  check: Check;
  /** What it sets; `.env.example` documents every variable (a test keeps them in step). */
  description: string;
  /** The serverless stage parameter it becomes (`--param=<name>=<value>`) for package and deploy. */
  param?: string;
}

/** Every variable the `.env` files may set. */
export const VARIABLES: Record<string, VariableSpec> = {
  LC_WEB_PORT: { check: port, description: 'npm start: the web app (default 3000)' },
  LC_HTTP_PORT: { check: port, description: 'npm start: the HTTP API and local issuer (default 8000)' },
  LC_WS_PORT: { check: port, description: 'npm start: the WebSocket API and @connections (default 3001)' },
  LC_EDGE_PORT: { check: port, description: 'npm start: DynamoDB, SQS, EventBridge (default 4566)' },
  LC_HOST: { check: nonEmpty, description: 'npm start: the address it listens on (default 127.0.0.1)' },
  LC_ACCOUNT_RPS: {
    check: setting('LC_ACCOUNT_RPS'),
    description: 'npm start: API Gateway’s account requests/s (default 10000; off lifts it)',
  },
  LC_ACCOUNT_BURST: {
    check: setting('LC_ACCOUNT_BURST'),
    description: 'npm start: the account’s burst (default 5000; off lifts it)',
  },
  LC_NEW_CONNECTIONS_RPS: {
    check: setting('LC_NEW_CONNECTIONS_RPS'),
    description: 'npm start: new WebSocket connections/s (default 500; off lifts it)',
  },
  LC_FAULTS: {
    check: setting('LC_FAULTS'),
    description: 'npm start: a fault plan, JSON (src/edge/README.md)',
  },
  LC_VISIBILITY_SCALE: {
    check: setting('LC_VISIBILITY_SCALE'),
    description: 'npm start: SQS visibility timeouts multiplied by this',
  },
  LC_EDGE_URL: {
    check: setting('LC_EDGE_URL'),
    description: 'npm start: LocalStack or moto instead of the embedded edge (README, The local cloud)',
  },
  LC_TEST_LOGS: { check: anything, description: 'tests: 1 prints the functions’ logs' },
  CHROMIUM_PATH: { check: anything, description: 'browser tests: the Chromium to drive' },
  AWS_PROFILE: {
    check: nonEmpty,
    description: 'AWS: the credentials profile (npm run logs/info/dlq, deploy)',
  },
  AWS_REGION: { check: region, description: 'AWS: the region (also passed to serverless as --region)' },
  AWS_DEFAULT_REGION: { check: region, description: 'AWS: the region, for tools that read this one' },
  JWT_ISSUER: {
    check: issuer,
    param: 'jwtIssuer',
    description: 'deploy: the OIDC issuer whose JWTs the APIs accept (stage parameter jwtIssuer)',
  },
  JWT_AUDIENCE: {
    check: nonEmpty,
    param: 'jwtAudience',
    description: 'deploy: the audience (Cognito app client id) (stage parameter jwtAudience)',
  },
  ALLOWED_ORIGINS: {
    check: origins,
    param: 'allowedOrigins',
    description: 'deploy: comma-separated browser origins (stage parameter allowedOrigins)',
  },
  LOG_LEVEL: {
    check: logLevel,
    param: 'logLevel',
    description: 'deploy: the functions’ Powertools log level (stage parameter logLevel)',
  },
};

/**
 * Other AWS_* names (AWS_SDK_LOAD_CONFIG, AWS_ENDPOINT_URL...) pass through to the SDK, which checks
 * them, and NEXT_PUBLIC_* to the web app's build (web/config.ts checks those).
 */
const isPassThrough = (name: string) =>
  (name.startsWith('AWS_') || name.startsWith('NEXT_PUBLIC_')) && !(name in VARIABLES);

export interface StageEnv {
  stage: string;
  /** The files read, `.env` first. */
  files: string[];
  /** What the files set that the process environment does not: `applyStageEnv` adds these to it. */
  fromFiles: Record<string, string>;
  /** The known variables in effect, from wherever they came (empty values count as unset). */
  values: Partial<Record<keyof typeof VARIABLES, string>> & Record<string, string | undefined>;
}

const STAGE = /^[a-zA-Z0-9-]+$/;

/** Reads `.env` and `.env.<stage>` under `dir` and checks every variable in effect; throws StageEnvError naming the bad ones. */
export const readStageEnv = (
  stage: string,
  options: { dir?: string; env?: NodeJS.ProcessEnv } = {},
): StageEnv => {
  if (!STAGE.test(stage))
    throw new StageEnvError(`The stage "${stage}" may hold only letters, digits and -.`);
  const dir = options.dir ?? root;
  const env = options.env ?? process.env;
  const files: string[] = [];
  const fromFiles: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const problems: string[] = [];
  for (const file of ['.env', `.env.${stage}`]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    files.push(file);
    let parsed: Record<string, string>;
    try {
      parsed = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch (error) {
      throw new StageEnvError(`${file} could not be read: ${(error as Error).message}`);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (!(name in VARIABLES) && !isPassThrough(name)) {
        problems.push(
          `${name} (in ${file}) is not a variable of this project; known: ${Object.keys(VARIABLES).join(', ')}`,
        );
        continue;
      }
      if (env[name] !== undefined && env[name] !== '') continue;
      if (value === '') delete fromFiles[name];
      else {
        fromFiles[name] = value;
        origin[name] = file;
      }
    }
  }
  const values: StageEnv['values'] = {};
  for (const [name, spec] of Object.entries(VARIABLES)) {
    const value = env[name] !== undefined && env[name] !== '' ? env[name] : fromFiles[name];
    if (value === undefined) continue;
    const problem = spec.check(value);
    if (problem) problems.push(`${name}=${value} (${origin[name] ?? 'from the environment'}) ${problem}`);
    else values[name] = value;
  }
  if (problems.length > 0)
    throw new StageEnvError(`Invalid configuration for stage ${stage}:\n  ${problems.join('\n  ')}`);
  return { stage, files, fromFiles, values };
};

/** Reads the stage's files and adds what they set to `env` (the process's by default); returns what was read. */
export const applyStageEnv = (
  stage: string,
  options: { dir?: string; env?: NodeJS.ProcessEnv } = {},
): StageEnv => {
  const env = options.env ?? process.env;
  const read = readStageEnv(stage, { ...options, env });
  for (const [name, value] of Object.entries(read.fromFiles)) env[name] = value;
  return read;
};

/** The serverless CLI options these variables become: `--region` and one `--param` per stage parameter set. */
export const serverlessOptions = ({ values }: StageEnv): string[] => {
  const options: string[] = [];
  const regionValue = values.AWS_REGION ?? values.AWS_DEFAULT_REGION;
  if (regionValue) options.push('--region', regionValue);
  for (const [name, spec] of Object.entries(VARIABLES)) {
    const value = values[name];
    if (spec.param && value !== undefined) options.push(`--param=${spec.param}=${value}`);
  }
  return options;
};
