import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../logs';
import { topologyWith } from '../testing';
import type { FunctionDef } from '../topology/model';
import { type LambdaRuntime, startLambdaRuntime } from './index';
import type { InvokeResult } from './invoker';
import { lambdaHeap } from './pool';

const fixtures = join(import.meta.dirname, 'fixtures');
// Under a "type": "module" package, like the repository: bundles must still load as CommonJS.
const buildRoot = mkdtempSync(join(tmpdir(), 'lambda-build-'));
writeFileSync(join(buildRoot, 'package.json'), '{"type":"module"}');
const buildDir = join(buildRoot, 'build');

function fn(name: string, handler: string, extra: Partial<FunctionDef> = {}): FunctionDef {
  return {
    key: `test.${name}`,
    service: 'test',
    stack: 'test-stack',
    name,
    functionName: `test-stack-local-${name}`,
    handler,
    serviceDir: fixtures,
    environment: {},
    timeoutSeconds: 5,
    memorySize: 256,
    ...extra,
  };
}

function okResult(result: InvokeResult): unknown {
  if (!result.ok)
    throw new Error(`invocation failed: ${result.error.errorType}: ${result.error.errorMessage}`);
  return result.result;
}

describe('startLambdaRuntime', () => {
  let runtime: LambdaRuntime & { invoke(key: string, event: unknown): Promise<InvokeResult> };
  const logs: LogEntry[] = [];
  const invoked: { functionKey: string; result: InvokeResult }[] = [];
  let flakyCalls = 0;

  beforeAll(async () => {
    process.env.LOCAL_CLOUD_LEAK_CHECK = 'parent-only';
    runtime = await startLambdaRuntime({
      root: fixtures,
      buildDir,
      edgeUrl: 'http://127.0.0.1:4566',
      onLog: (entry) => logs.push(entry),
      onInvoked: (functionKey, result) => invoked.push({ functionKey, result }),
      maxWorkersPerFunction: 2,
      idleEnvironmentMs: 3_000,
      // Every second invocation of test.flaky fails.
      injectFailure: (key) =>
        key === 'test.flaky' && ++flakyCalls % 2 === 0
          ? { errorType: 'InjectedFault', errorMessage: 'on purpose' }
          : undefined,
      topology: topologyWith({
        functions: [
          fn('red', 'env.handler', {
            environment: { COLOR: 'red', AWS_REGION: 'eu-west-1' },
            memorySize: 512,
          }),
          fn('blue', 'env.handler', { environment: { COLOR: 'blue' } }),
          fn('counter', 'behaviours.counter'),
          fn('idleCounter', 'behaviours.counter'),
          fn('sleep', 'behaviours.sleep'),
          fn('impatient', 'behaviours.sleep', { timeoutSeconds: 0.5 }),
          fn('fail', 'behaviours.fail'),
          fn('failWithString', 'behaviours.failWithString'),
          fn('exit', 'behaviours.exit'),
          fn('callback', 'behaviours.callback'),
          fn('nothing', 'behaviours.nothing'),
          fn('heap', 'behaviours.heap', { memorySize: 512 }),
          fn('noExport', 'behaviours.missing'),
          fn('noFile', 'nowhere/handler.handler'),
          fn('reserved', 'behaviours.sleep', { reservedConcurrency: 1 }),
          fn('disabled', 'behaviours.counter', { reservedConcurrency: 0 }),
          fn('flaky', 'behaviours.counter'),
        ],
      }),
    });
  }, 30_000);

  afterAll(async () => {
    await runtime.stop();
    delete process.env.LOCAL_CLOUD_LEAK_CHECK;
  });

  it('gives each function its own environment and a Lambda context', async () => {
    const [red, blue] = await Promise.all([runtime.invoke('test.red', {}), runtime.invoke('test.blue', {})]);
    expect(okResult(red)).toMatchObject({
      color: 'red',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      functionNameEnv: 'test-stack-local-red',
      tracing: 'false',
      functionName: 'test-stack-local-red',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-stack-local-red',
      logGroupName: '/aws/lambda/test-stack-local-red',
      at: '1970-01-01T00:00:00.000Z',
    });
    expect(okResult(blue)).toMatchObject({ color: 'blue', functionName: 'test-stack-local-blue' });
    const redResult = okResult(red) as { leak?: string; awsRequestId: string; remaining: number };
    expect(redResult.leak).toBeUndefined();
    expect(redResult.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(redResult.remaining).toBeGreaterThan(4000);
    expect(redResult.remaining).toBeLessThanOrEqual(5000);
  });

  it("gives a function Lambda's heap for its memory size", async () => {
    expect(lambdaHeap(512)).toEqual({ maxYoungGenerationSizeMb: 75, maxOldGenerationSizeMb: 461 });
    expect(lambdaHeap(128)).toEqual({ maxYoungGenerationSizeMb: 18, maxOldGenerationSizeMb: 116 });
    // 461 MB old + 75 MB young, and V8's own allowance; Node's default here would be gigabytes.
    const { heapLimitMb } = okResult(await runtime.invoke('test.heap', {})) as { heapLimitMb: number };
    expect(heapLimitMb).toBeGreaterThanOrEqual(536);
    expect(heapLimitMb).toBeLessThan(600);
  });

  it('keeps module state warm between calls', async () => {
    const first = okResult(await runtime.invoke('test.counter', {}));
    const second = okResult(await runtime.invoke('test.counter', {}));
    expect(first).toEqual({ invocations: 1 });
    expect(second).toEqual({ invocations: 2 });
  });

  it('marks the first invocation of an environment as a cold start, counts it and tells onInvoked', async () => {
    const first = await runtime.invoke('test.nothing', {});
    const second = await runtime.invoke('test.nothing', {});
    expect(first).toMatchObject({ ok: true, coldStart: true });
    expect(second).not.toHaveProperty('coldStart');
    expect(runtime.metrics()['test.nothing']).toMatchObject({ invocations: 2, coldStarts: 1 });
    expect(invoked.filter((one) => one.functionKey === 'test.nothing').map((one) => one.result)).toEqual([
      first,
      second,
    ]);
  });

  it('shuts an environment down after it stayed idle, and starts a fresh one for the next call', async () => {
    const key = 'test.idleCounter';
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    expect(okResult(await runtime.invoke(key, {}))).toEqual({ invocations: 1 });
    await pause(2_000);
    expect(okResult(await runtime.invoke(key, {}))).toEqual({ invocations: 2 });
    await pause(2_000); // 4 s since the first call, 2 s since the last: each call restarts the wait
    expect(okResult(await runtime.invoke(key, {}))).toEqual({ invocations: 3 });
    expect(runtime.workerCount(key)).toBe(1);
    await pause(3_500);
    expect(runtime.workerCount(key)).toBe(0);
    expect(okResult(await runtime.invoke(key, {}))).toEqual({ invocations: 1 }); // cold: module state is new
  }, 20_000);

  it('runs at most maxWorkersPerFunction invocations at once and queues the rest', async () => {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runtime.invoke('test.sleep', { ms: 200 })),
    );
    expect(results.map(okResult)).toEqual(Array.from({ length: 4 }, () => ({ slept: 200 })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(runtime.workerCount('test.sleep')).toBe(2);
  });

  it('throttles invocations beyond reserved concurrency as Lambda does, and counts them', async () => {
    const results = await Promise.all(
      Array.from({ length: 3 }, () => runtime.invoke('test.reserved', { ms: 100 })),
    );
    expect(results.map((result) => (result.ok ? 'ran' : result.error.errorType))).toEqual([
      'ran',
      'TooManyRequestsException',
      'TooManyRequestsException',
    ]);
    expect(results[1]).toMatchObject({ ok: false, throttled: true });
    expect(runtime.metrics()['test.reserved']).toEqual({
      invocations: 1,
      errors: 0,
      throttles: 2,
      concurrentExecutions: 0,
      maxConcurrentExecutions: 1,
      coldStarts: 1,
    });
    // Its one execution is free again.
    expect(okResult(await runtime.invoke('test.reserved', { ms: 1 }))).toEqual({ slept: 1 });
    expect(runtime.workerCount('test.reserved')).toBe(1);
  });

  it('throttles every invocation of a function with reserved concurrency 0', async () => {
    const result = await runtime.invoke('test.disabled', {});
    expect(result).toMatchObject({ ok: false, throttled: true });
    expect(runtime.workerCount('test.disabled')).toBe(0);
  });

  it('fails the invocations picked by fault injection without running them', async () => {
    const results: InvokeResult[] = [];
    // One at a time, so one warm environment runs them all and its module counts them.
    for (let i = 0; i < 4; i++) results.push(await runtime.invoke('test.flaky', {}));
    expect(results.map((result) => (result.ok ? 'ran' : result.error.errorType))).toEqual([
      'ran',
      'InjectedFault',
      'ran',
      'InjectedFault',
    ]);
    expect(runtime.metrics()['test.flaky']).toMatchObject({ invocations: 4, errors: 2, throttles: 0 });
    // The handler ran twice: its module counts two invocations.
    expect(okResult(await runtime.invoke('test.flaky', {}))).toEqual({ invocations: 3 });
    expect(logs).toContainEqual(
      expect.objectContaining({ functionKey: 'test.flaky', line: 'InjectedFault: on purpose' }),
    );
    runtime.resetMetrics();
    expect(runtime.metrics()['test.flaky']).toEqual({
      invocations: 0,
      errors: 0,
      throttles: 0,
      concurrentExecutions: 0,
      maxConcurrentExecutions: 0,
      coldStarts: 0,
    });
  });

  it('passes function log lines to onLog', async () => {
    await runtime.invoke('test.sleep', { ms: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs).toContainEqual(
      expect.objectContaining({
        functionKey: 'test.sleep',
        stream: 'stdout',
        level: 'INFO',
        message: 'slept',
      }),
    );
  });

  it('times out, replaces the worker and serves the next call', async () => {
    const timedOut = await runtime.invoke('test.impatient', { ms: 3000 });
    expect(timedOut).toMatchObject({
      ok: false,
      timedOut: true,
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.50 seconds' },
    });
    expect(runtime.workerCount('test.impatient')).toBe(0);
    expect(okResult(await runtime.invoke('test.impatient', { ms: 1 }))).toEqual({ slept: 1 });
    expect(logs.some((entry) => entry.stream === 'runtime' && entry.line.includes('Task timed out'))).toBe(
      true,
    );
  });

  it('reports a thrown error in the Lambda error shape', async () => {
    const result = await runtime.invoke('test.fail', {});
    expect(result).toMatchObject({
      ok: false,
      timedOut: false,
      error: { errorType: 'ValidationProblem', errorMessage: 'bad input' },
    });
    if (result.ok) return;
    expect(result.error.trace?.[0]).toBe('ValidationProblem: bad input');
    expect(await runtime.invoke('test.failWithString', {})).toMatchObject({
      ok: false,
      error: { errorType: 'string', errorMessage: 'plain string', trace: [] },
    });
  });

  it('survives a function that exits the process', async () => {
    expect(await runtime.invoke('test.exit', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3' },
    });
    expect(await runtime.invoke('test.exit', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ExitError' },
    });
  });

  it('supports callback handlers and turns undefined into null', async () => {
    expect(okResult(await runtime.invoke('test.callback', { value: 21 }))).toEqual({ doubled: 42 });
    expect(okResult(await runtime.invoke('test.nothing', {}))).toBeNull();
  });

  it('fails missing handlers the way Lambda does', async () => {
    expect(await runtime.invoke('test.noExport', {})).toMatchObject({
      ok: false,
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'behaviours.missing is undefined or not exported',
      },
    });
    expect(await runtime.invoke('test.noFile', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError' },
    });
    expect(await runtime.invoke('test.unknown', {})).toMatchObject({
      ok: false,
      error: { errorType: 'ResourceNotFoundException' },
    });
  });
});

describe('startLambdaRuntime in watch mode', () => {
  const serviceDir = mkdtempSync(join(tmpdir(), 'lambda-watch-'));
  const source = join(serviceDir, 'version.ts');
  const write = (version: string) =>
    writeFileSync(source, `export const handler = async () => ({ version: '${version}' });\n`);

  afterAll(() => rmSync(serviceDir, { recursive: true, force: true }));

  it('swaps in new code after a rebuild without a restart', async () => {
    write('v1');
    const rebuilds: string[][] = [];
    const runtime = await startLambdaRuntime({
      root: serviceDir,
      edgeUrl: 'http://127.0.0.1:4566',
      watch: true,
      onLog: () => {},
      onRebuild: (changed) => rebuilds.push(changed),
      topology: topologyWith({ functions: [fn('version', 'version.handler', { serviceDir })] }),
    });
    try {
      expect(okResult(await runtime.invoke('test.version', {}))).toEqual({ version: 'v1' });
      write('v2');
      const deadline = Date.now() + 10_000;
      while (!rebuilds.some((changed) => changed.includes('test.version')) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(okResult(await runtime.invoke('test.version', {}))).toEqual({ version: 'v2' });
    } finally {
      await runtime.stop();
    }
  }, 20_000);
});

afterAll(() => rmSync(buildRoot, { recursive: true, force: true }));
