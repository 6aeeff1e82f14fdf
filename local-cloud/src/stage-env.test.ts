import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyStageEnv, readStageEnv, StageEnvError, serverlessOptions, VARIABLES } from './stage-env';

const root = resolve(import.meta.dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stage-env-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

describe('readStageEnv', () => {
  it('reads .env, then .env.<stage> over it, and the environment over both', () => {
    write('.env', 'LC_HTTP_PORT=8100\nLC_WS_PORT=3100\nLC_EDGE_PORT=4600\n');
    write('.env.local', 'LC_WS_PORT=3200 # the stage file wins\nLC_EDGE_PORT=\n');
    const read = readStageEnv('local', { dir, env: { LC_HTTP_PORT: '8500' } });
    expect(read.files).toEqual(['.env', '.env.local']);
    expect(read.fromFiles).toEqual({ LC_WS_PORT: '3200' });
    expect(read.values).toEqual({ LC_HTTP_PORT: '8500', LC_WS_PORT: '3200' });
  });

  it('reads nothing when there are no files, and ignores empty values in the environment', () => {
    const read = readStageEnv('staging', { dir, env: { LOG_LEVEL: '', AWS_REGION: 'eu-west-1' } });
    expect(read).toEqual({ stage: 'staging', files: [], fromFiles: {}, values: { AWS_REGION: 'eu-west-1' } });
  });

  it('names a bad variable, its value and the file it came from', () => {
    write('.env.local', 'LC_HTTP_PORT=80a0\n');
    expect(() => readStageEnv('local', { dir, env: {} })).toThrow(
      'LC_HTTP_PORT=80a0 (.env.local) must be a whole number between 1 and 65535',
    );
  });

  it('names a bad variable of the environment as such', () => {
    expect(() => readStageEnv('local', { dir, env: { LC_WEB_PORT: '70000' } })).toThrow(
      'LC_WEB_PORT=70000 (from the environment) must be a whole number',
    );
  });

  it('refuses a name the project does not know (a typo), but lets other AWS_* and NEXT_PUBLIC_* through', () => {
    write('.env', 'LC_HTTP_PROT=8100\nAWS_SDK_LOAD_CONFIG=1\n');
    expect(() => readStageEnv('local', { dir, env: {} })).toThrow(
      'LC_HTTP_PROT (in .env) is not a variable of this project',
    );
    write('.env', 'AWS_SDK_LOAD_CONFIG=1\nNEXT_PUBLIC_LOCAL_SIGN_IN=true\n');
    expect(readStageEnv('local', { dir, env: {} }).fromFiles).toEqual({
      AWS_SDK_LOAD_CONFIG: '1',
      NEXT_PUBLIC_LOCAL_SIGN_IN: 'true',
    });
  });

  it('checks the stage parameters: issuer, origins, log level, region', () => {
    write(
      '.env.prod',
      [
        'JWT_ISSUER=http://issuer.example.com',
        'ALLOWED_ORIGINS=https://app.example.com,https://app.example.com/path',
        'LOG_LEVEL=LOUD',
        'AWS_REGION=useast1',
      ].join('\n'),
    );
    let error: unknown;
    try {
      readStageEnv('prod', { dir, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StageEnvError);
    const message = (error as Error).message;
    expect(message).toContain('JWT_ISSUER=http://issuer.example.com (.env.prod) must be an https URL');
    expect(message).toContain('"https://app.example.com/path" is not one');
    expect(message).toContain('LOG_LEVEL=LOUD (.env.prod) must be one of');
    expect(message).toContain('AWS_REGION=useast1 (.env.prod) must be an AWS region');
  });

  it("checks the local cloud's test knobs as npm start reads them", () => {
    write('.env.local', 'LC_VISIBILITY_SCALE=0\nLC_ACCOUNT_RPS=off\n');
    expect(() => readStageEnv('local', { dir, env: {} })).toThrow(
      'LC_VISIBILITY_SCALE=0 (.env.local) expected a number greater than 0, not "0"',
    );
    write('.env.local', 'LC_VISIBILITY_SCALE=0.5\nLC_ACCOUNT_RPS=off\n');
    expect(readStageEnv('local', { dir, env: {} }).values).toEqual({
      LC_VISIBILITY_SCALE: '0.5',
      LC_ACCOUNT_RPS: 'off',
    });
  });

  it('refuses a stage name serverless would refuse', () => {
    expect(() => readStageEnv('../x', { dir, env: {} })).toThrow('may hold only letters, digits and -');
  });
});

describe('applyStageEnv', () => {
  it('adds what the files set to the environment, leaving what it had', () => {
    write('.env', 'LC_HTTP_PORT=8100\nLC_WS_PORT=3100\n');
    const env: NodeJS.ProcessEnv = { LC_WS_PORT: '3501' };
    applyStageEnv('local', { dir, env });
    expect(env).toEqual({ LC_WS_PORT: '3501', LC_HTTP_PORT: '8100' });
  });
});

describe('serverlessOptions', () => {
  it('turns the region and the stage parameters into serverless options', () => {
    write(
      '.env.staging',
      'AWS_REGION=eu-west-1\nJWT_ISSUER=https://issuer.example.com\nJWT_AUDIENCE=app\nALLOWED_ORIGINS=https://a.example.com,https://b.example.com\n',
    );
    expect(serverlessOptions(readStageEnv('staging', { dir, env: {} }))).toEqual([
      '--region',
      'eu-west-1',
      '--param=jwtIssuer=https://issuer.example.com',
      '--param=jwtAudience=app',
      '--param=allowedOrigins=https://a.example.com,https://b.example.com',
    ]);
  });
});

describe('.env.example', () => {
  it('documents every variable, and is itself a valid configuration once uncommented', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    for (const name of Object.keys(VARIABLES)) expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
    write('.env', example.replace(/^# ([A-Z_]+=)/gm, '$1'));
    expect(Object.keys(readStageEnv('local', { dir, env: {} }).values).sort()).toEqual(
      Object.keys(VARIABLES).sort(),
    );
  });
});
