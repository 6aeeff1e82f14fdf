import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { createLogSink, type LogEntry, type LogFormat, type LogSink } from '../logs';
import type { FunctionDef, Topology } from '../topology/model';
import {
  buildBootstrap,
  buildHandlers,
  bundleOptions,
  formatMessages,
  type HandlerEntry,
  handlerEntry,
  writeOutputs,
} from './build';
import type { InvokeError, InvokeResult, LambdaInvoker } from './invoker';
import { FunctionPool } from './pool';

export { FunctionPool } from './pool';

export interface LambdaRuntimeOptions {
  /** Repository root; bundles go to `<root>/.local-cloud/build/<fnKey>/`. */
  root: string;
  topology: Topology;
  /** The AWS edge, e.g. `http://127.0.0.1:4566`: every function's AWS_ENDPOINT_URL. */
  edgeUrl: string;
  /** Rebuild on change and swap in new workers (npm run dev). */
  watch?: boolean;
  logFormat?: LogFormat;
  /** Receives function log entries instead of stdout. */
  onLog?: (entry: LogEntry) => void;
  /** Execution environments per function (default 4). */
  maxWorkersPerFunction?: number;
  /** An environment idle this long is shut down, as Lambda reclaims idle ones (default 10 min). */
  idleEnvironmentMs?: number;
  /** Called after a watch rebuild with the keys of the functions whose code changed. */
  onRebuild?: (changed: string[], errors: string[]) => void;
  /** Default `<root>/.local-cloud/build`. */
  buildDir?: string;
  /** Fault injection: the error an invocation fails with instead of running, if it is picked. */
  injectFailure?: (functionKey: string) => InvokeError | undefined;
  /** Told of every invocation's result, throttled ones included (the console's durations). */
  onInvoked?: (functionKey: string, result: InvokeResult) => void;
}

/** A function's figures, named after Lambda's CloudWatch metrics. */
export interface FunctionMetrics {
  /** Invocations that ran or failed (an injected failure included), not the throttled ones. */
  invocations: number;
  /** Function errors and timeouts. */
  errors: number;
  /** Invocations refused for reserved concurrency. */
  throttles: number;
  /** Executions running now. */
  concurrentExecutions: number;
  /** The most that ran at once. */
  maxConcurrentExecutions: number;
  /** Invocations that started a new execution environment (Lambda's cold starts). */
  coldStarts: number;
}

export interface LambdaRuntime {
  /** Keys of the functions this runtime serves. */
  readonly functionKeys: string[];
  /** Live workers of a function, for diagnostics and tests. */
  workerCount(functionKey: string): number;
  /** Every function's figures since the start or the last reset. */
  metrics(): Record<string, FunctionMetrics>;
  resetMetrics(): void;
  stop(): Promise<void>;
}

/** What Lambda answers an invocation beyond a function's reserved concurrency (Invoke: 429). */
export const throttledResult = (): InvokeResult => ({
  ok: false,
  error: {
    errorType: 'TooManyRequestsException',
    errorMessage: 'Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded)',
  },
  timedOut: false,
  durationMs: 0,
  throttled: true,
});

/** The environment one function's worker sees: its serverless.yml environment plus Lambda's own. */
export function functionEnvironment(
  fn: FunctionDef,
  settings: { region: string; edgeUrl: string; taskRoot: string; logStreamName: string },
): Record<string, string> {
  return {
    ...fn.environment,
    // Reserved by Lambda: these win over anything serverless.yml sets.
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: settings.edgeUrl,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: settings.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: settings.taskRoot,
    _HANDLER: fn.handler,
    // Only the variable: the host's time zone is process-wide and stays as it is.
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    // No X-Ray daemon locally.
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
}

function logStreamName(): string {
  const now = new Date();
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * Bundles every function of the topology with esbuild and runs each in its own
 * warm worker threads, with its own environment and timeout.
 */
export async function startLambdaRuntime(
  options: LambdaRuntimeOptions,
): Promise<LambdaRuntime & LambdaInvoker> {
  const { topology } = options;
  const outdir = options.buildDir ?? join(options.root, '.local-cloud', 'build');
  const logs: LogSink = createLogSink({
    format: options.logFormat ?? 'pretty',
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });

  const entries: HandlerEntry[] = [];
  const missing = new Map<string, InvokeError>();
  for (const fn of topology.functions) {
    const entry = handlerEntry(fn);
    if ('errorType' in entry) missing.set(fn.key, entry);
    else entries.push(entry);
  }
  for (const [key, error] of missing) logs.write(key, 'runtime', `${error.errorType}: ${error.errorMessage}`);

  const [bootstrapPath, built] = await Promise.all([buildBootstrap(outdir), buildHandlers(entries, outdir)]);
  for (const [key, error] of built.errors) logs.write(key, 'runtime', `build failed:\n${error.errorMessage}`);

  const pools = new Map<string, FunctionPool>();
  for (const fn of topology.functions) {
    const entry = entries.find((candidate) => candidate.functionKey === fn.key);
    const bundlePath = join(outdir, `${entry?.out ?? fn.key}.cjs`);
    const streamName = logStreamName();
    const buildError = missing.get(fn.key) ?? built.errors.get(fn.key);
    pools.set(
      fn.key,
      new FunctionPool({
        functionKey: fn.key,
        bootstrapPath,
        workerData: {
          bundlePath,
          exportName: entry?.exportName ?? 'handler',
          handler: fn.handler,
          functionName: fn.functionName,
          functionArn: `arn:aws:lambda:${topology.region}:${topology.accountId}:function:${fn.functionName}`,
          memorySize: fn.memorySize,
          logGroupName: `/aws/lambda/${fn.functionName}`,
          logStreamName: streamName,
          compileCacheDir: join(outdir, '_runtime', 'compile-cache'),
        },
        env: functionEnvironment(fn, {
          region: topology.region,
          edgeUrl: options.edgeUrl,
          taskRoot: join(outdir, fn.key),
          logStreamName: streamName,
        }),
        timeoutSeconds: fn.timeoutSeconds,
        memorySize: fn.memorySize,
        // Never more environments than executions the function may have at once.
        maxWorkers: Math.max(
          1,
          Math.min(options.maxWorkersPerFunction ?? 4, fn.reservedConcurrency ?? Infinity),
        ),
        idleTimeoutMs: options.idleEnvironmentMs ?? 10 * 60_000,
        logs,
        ...(buildError ? { buildError } : {}),
      }),
    );
  }

  let watcher: esbuild.BuildContext | undefined;
  if (options.watch && entries.length > 0) {
    let hashes = built.hashes;
    let first = true;
    const settings = bundleOptions(entries, outdir);
    watcher = await esbuild.context({
      ...settings,
      plugins: [
        ...(settings.plugins ?? []),
        {
          name: 'local-cloud-reload',
          setup(build) {
            build.onEnd(async (result) => {
              // The watcher's own first build repeats the one above: nothing changed.
              const initial = first;
              first = false;
              if (result.errors.length > 0) {
                const message = formatMessages(result.errors);
                logs.write('runtime', 'runtime', `rebuild failed, keeping the previous code:\n${message}`);
                options.onRebuild?.([], [message]);
                return;
              }
              const next = await writeOutputs(result, entries, outdir);
              const changed = [...next].filter(([key, hash]) => hashes.get(key) !== hash).map(([key]) => key);
              hashes = next;
              for (const key of changed) {
                pools.get(key)?.reload();
                if (!initial) logs.write(key, 'runtime', 'reloaded with new code');
              }
              if (!initial || changed.length > 0) options.onRebuild?.(changed, []);
            });
          },
        },
      ],
    });
    await watcher.watch();
  }

  const poolOf = (functionKey: string): FunctionPool => {
    const pool = pools.get(functionKey);
    if (!pool) throw new Error(`No function ${functionKey} in the topology`);
    return pool;
  };

  const fresh = (): FunctionMetrics => ({
    invocations: 0,
    errors: 0,
    throttles: 0,
    concurrentExecutions: 0,
    maxConcurrentExecutions: 0,
    coldStarts: 0,
  });
  const reserved = new Map(topology.functions.map((fn) => [fn.key, fn.reservedConcurrency]));
  const figures = new Map(topology.functions.map((fn) => [fn.key, fresh()]));

  /** Runs one invocation and keeps its function's figures. */
  const runInvocation = (functionKey: string, event: unknown): Promise<InvokeResult> => {
    const pool = pools.get(functionKey);
    const metrics = figures.get(functionKey);
    if (!pool || !metrics) {
      return Promise.resolve({
        ok: false,
        error: {
          errorType: 'ResourceNotFoundException',
          errorMessage: `Function not found: ${functionKey}`,
        },
        timedOut: false,
        durationMs: 0,
      });
    }
    // An execution counts from the invocation to its answer (a cold start or a wait for a
    // free environment included), as Lambda counts concurrency.
    const limit = reserved.get(functionKey);
    if (limit !== undefined && metrics.concurrentExecutions >= limit) {
      metrics.throttles += 1;
      return Promise.resolve(throttledResult());
    }
    metrics.invocations += 1;
    const injected = options.injectFailure?.(functionKey);
    if (injected) {
      metrics.errors += 1;
      logs.write(functionKey, 'runtime', `${injected.errorType}: ${injected.errorMessage}`);
      return Promise.resolve({ ok: false, error: injected, timedOut: false, durationMs: 0 });
    }
    metrics.concurrentExecutions += 1;
    metrics.maxConcurrentExecutions = Math.max(metrics.maxConcurrentExecutions, metrics.concurrentExecutions);
    return pool.invoke(event).then((result) => {
      metrics.concurrentExecutions -= 1;
      if (!result.ok) metrics.errors += 1;
      if (result.coldStart) metrics.coldStarts += 1;
      return result;
    });
  };

  return {
    functionKeys: [...pools.keys()],
    workerCount: (functionKey) => poolOf(functionKey).workerCount,
    metrics: () => Object.fromEntries([...figures].map(([key, metrics]) => [key, { ...metrics }])),
    resetMetrics() {
      for (const metrics of figures.values()) {
        const running = metrics.concurrentExecutions;
        Object.assign(metrics, fresh(), { concurrentExecutions: running, maxConcurrentExecutions: running });
      }
    },
    invoke(functionKey: string, event: unknown): Promise<InvokeResult> {
      const invoked = runInvocation(functionKey, event);
      const { onInvoked } = options;
      return onInvoked
        ? invoked.then((result) => {
            onInvoked(functionKey, result);
            return result;
          })
        : invoked;
    },
    async stop() {
      await watcher?.dispose();
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
    },
  };
}
