/**
 * `npm run logs -- [<service> [<function>]] [--tail] [--correlation-id ID]
 * [--stage S] [--since 10m] [--limit N] [--json]`: the functions' logs, the
 * seed's `serverless logs -f <fn> --tail`, with the same filters on both
 * clouds. The default stage, local, reads the running local cloud's journal
 * (`GET /_local/logs` on LC_HTTP_PORT); any other stage reads CloudWatch Logs
 * (FilterLogEvents on each function's log group, found in its stack) with the
 * SDK's usual credentials and region (AWS_PROFILE, AWS_REGION, `.env.<stage>`).
 * A correlation id selects the lines whose Powertools `correlation_id` is it:
 * one request followed across every service when no service is named.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudInfo } from '../local-cloud/src/info';
import { toLogEntry } from '../local-cloud/src/logs';
import { applyStageEnv } from '../local-cloud/src/stage-env';
import { OpsError, stackFunctions, stackNameOf, stackResources } from './ops/aws-stacks';
import { runCommand } from './ops/cli';
import {
  cloudWatchSource,
  type LogFilter,
  type LogGroupRef,
  type LogSource,
  localGet,
  localSource,
  parseSince,
} from './ops/log-sources';
import { stacks } from './stacks';

const USAGE =
  'usage: npm run logs -- [<service> [<function>]] [--tail] [--correlation-id ID] [--stage S] [--since 10m] [--limit N] [--json]';

/** The functions of each service, on the stage's cloud. */
interface Selected {
  /** `posts.createPost` per function selected */
  keys: string[];
  source: LogSource<unknown>;
  close(): void;
}

const pick = (
  services: { service: string; functions: string[] }[],
  serviceName: string | undefined,
  functionName: string | undefined,
): { service: string; functions: string[] }[] => {
  const withFunctions = services.filter((one) => one.functions.length > 0);
  if (!serviceName) return withFunctions;
  const service = withFunctions.find((one) => one.service === serviceName);
  if (!service)
    throw new OpsError(
      `No service ${serviceName} with functions; services: ${withFunctions.map((one) => one.service).join(', ')}.`,
    );
  if (!functionName) return [service];
  if (!service.functions.includes(functionName))
    throw new OpsError(
      `${serviceName} has no function ${functionName}; its functions: ${service.functions.join(', ')}.`,
    );
  return [{ service: service.service, functions: [functionName] }];
};

const selectLocal = async (serviceName?: string, functionName?: string): Promise<Selected> => {
  const httpUrl = `http://localhost:${process.env.LC_HTTP_PORT ?? 8000}`;
  const info = await localGet<CloudInfo>(httpUrl, '/_local/info');
  const chosen = pick(
    info.stacks.map((stack) => ({ service: stack.service, functions: stack.functions.map((fn) => fn.name) })),
    serviceName,
    functionName,
  );
  const keys = chosen.flatMap((one) => one.functions.map((fn) => `${one.service}.${fn}`));
  return { keys, source: localSource(httpUrl, keys) as LogSource<unknown>, close: () => {} };
};

const selectAws = async (stage: string, serviceName?: string, functionName?: string): Promise<Selected> => {
  const cfn = new CloudFormationClient({});
  try {
    const deployed = await Promise.all(
      stacks().map(async (stack) => {
        const stackName = stackNameOf(stack, stage);
        if (serviceName && stack.name !== serviceName)
          return { service: stack.name, functions: [], groups: [] };
        const functions = stackFunctions(await stackResources(cfn, stackName), stackName);
        return {
          service: stack.name,
          functions: functions.map((fn) => fn.name),
          groups: functions.map((fn) => ({ function: `${stack.name}.${fn.name}`, logGroup: fn.logGroup })),
        };
      }),
    ).catch((error: unknown) => {
      if (/does not exist/.test(String((error as Error).message)))
        throw new OpsError(
          `${(error as Error).message} (stage ${stage}, region ${process.env.AWS_REGION ?? 'from the profile'}).`,
        );
      throw error;
    });
    const chosen = pick(deployed, serviceName, functionName);
    const keys = chosen.flatMap((one) => one.functions.map((fn) => `${one.service}.${fn}`));
    const groups: LogGroupRef[] = deployed
      .flatMap((one) => one.groups)
      .filter((group) => keys.includes(group.function));
    const logs = new CloudWatchLogsClient({});
    return {
      keys,
      source: cloudWatchSource(logs, groups) as LogSource<unknown>,
      close: () => logs.destroy(),
    };
  } finally {
    cfn.destroy();
  }
};

const main = async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      stage: { type: 'string', default: 'local' },
      tail: { type: 'boolean', short: 't', default: false },
      'correlation-id': { type: 'string' },
      since: { type: 'string', default: '10m' },
      limit: { type: 'string', default: '1000' },
      interval: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const [serviceName, functionName, ...rest] = positionals;
  if (rest.length > 0) throw new OpsError(`Too many arguments: ${rest.join(' ')}.\n${USAGE}`);
  const stage = values.stage ?? 'local';
  applyStageEnv(stage);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new OpsError(`--limit wants a positive whole number, not ${values.limit}.`);
  const filter: LogFilter = {
    since: parseSince(values.since ?? '10m'),
    limit,
    ...(values['correlation-id'] ? { correlationId: values['correlation-id'] } : {}),
  };
  const local = stage === 'local';
  const selected = local
    ? await selectLocal(serviceName, functionName)
    : await selectAws(stage, serviceName, functionName);
  const intervalMs = Number(values.interval || (local ? 1 : 2)) * 1000;
  const color = !values.json && process.stdout.isTTY === true;
  process.stderr.write(
    `${local ? 'local cloud' : `CloudWatch Logs, stage ${stage}`}: ${selected.keys.length === 1 ? selected.keys[0] : `${selected.keys.length} functions`}` +
      `${filter.correlationId ? `, correlation id ${filter.correlationId}` : ''}, since ${new Date(filter.since).toISOString()}` +
      `${values.tail ? ' (following; Ctrl-C stops)' : ''}\n`,
  );
  let stopped = false;
  process.on('SIGINT', () => {
    stopped = true;
  });
  let cursor: unknown;
  try {
    do {
      const read = await selected.source.read(filter, cursor);
      cursor = read.cursor;
      for (const line of read.lines) {
        const entry = toLogEntry(line.function, 'stdout', line.line, {
          format: values.json ? 'json' : 'pretty',
          color,
          now: line.time,
        });
        process.stdout.write(`${entry.formatted}\n`);
      }
      if (values.tail && !stopped) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    } while (values.tail && !stopped);
  } finally {
    selected.close();
  }
};

runCommand(main, USAGE);
