/**
 * The inside of one execution environment: loads the function's bundle once
 * (warm between calls), then runs one invocation at a time. The context object
 * carries functions, so it cannot cross postMessage: it is built here.
 * Bundled to CommonJS by the runtime and started with `new Worker(file)`.
 */
import { createRequire, enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { InvokeError } from './invoker';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol';

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('worker.ts runs inside a worker thread');

// Cold starts load node_modules file by file; V8's code cache on disk makes the next ones cheaper.
if (data.compileCacheDir) enableCompileCache(data.compileCacheDir);

if ((process.env.NODE_OPTIONS ?? '').includes('--enable-source-maps')) {
  // NODE_OPTIONS does not reach worker threads; honour it the way Lambda would.
  process.setSourceMapsEnabled(true);
}

function toInvokeError(error: unknown): InvokeError {
  // Same shape as the Lambda Node.js runtime (aws-lambda-nodejs-runtime-interface-client).
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

type Handler = (
  event: unknown,
  context: unknown,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

function loadHandler(): Handler | InvokeError {
  let loaded: unknown;
  try {
    loaded = createRequire(data.bundlePath)(data.bundlePath);
  } catch (error) {
    const failure = toInvokeError(error);
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') {
      return {
        ...failure,
        errorType: 'Runtime.ImportModuleError',
        errorMessage: `Error: ${failure.errorMessage}`,
      };
    }
    return failure;
  }
  let target: unknown = loaded;
  for (const part of data.exportName.split('.')) {
    target =
      typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[part] : undefined;
  }
  if (typeof target !== 'function') {
    return {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${data.handler} is undefined or not exported`,
      trace: [],
    };
  }
  return target as Handler;
}

/**
 * With tracing off (there is no X-Ray daemon locally), the handler is loaded
 * without the X-Ray SDK's context tracking: in a Lambda-like environment
 * (LAMBDA_TASK_ROOT set) that SDK hooks every promise even when Powertools
 * never records a segment, which cost about a fifth of a busy worker's CPU.
 * The function sees its normal environment again once loaded.
 */
const loadWithoutXrayContext = (): Handler | InvokeError => {
  if (process.env.POWERTOOLS_TRACE_ENABLED !== 'false') return loadHandler();
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const manual = process.env.AWS_XRAY_MANUAL_MODE;
  delete process.env.LAMBDA_TASK_ROOT;
  process.env.AWS_XRAY_MANUAL_MODE = 'true';
  try {
    return loadHandler();
  } finally {
    if (taskRoot !== undefined) process.env.LAMBDA_TASK_ROOT = taskRoot;
    if (manual === undefined) delete process.env.AWS_XRAY_MANUAL_MODE;
    else process.env.AWS_XRAY_MANUAL_MODE = manual;
  }
};

const handler = loadWithoutXrayContext();
port.postMessage(
  (typeof handler === 'function'
    ? { type: 'ready' }
    : { type: 'initError', error: handler }) satisfies WorkerReply,
);

function run(fn: Handler, request: WorkerRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: data.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: data.functionArn,
      memoryLimitInMB: String(data.memorySize),
      awsRequestId: request.requestId,
      logGroupName: data.logGroupName,
      logStreamName: data.logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
      done: callback,
      succeed: (result: unknown) => callback(undefined, result),
      fail: (error: unknown) => callback(error ?? new Error('handled')),
    };
    const returned = fn(request.event, context, callback);
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      (returned as Promise<unknown>).then(resolve, reject);
    } else if (fn.length < 3) {
      resolve(returned);
    }
  });
}

port.on('message', (request: WorkerRequest) => {
  if (typeof handler !== 'function') return;
  run(handler, request).then(
    (result) => {
      let payload: unknown;
      try {
        // Lambda hands back JSON: what does not survive JSON does not reach the caller.
        payload = result === undefined ? null : JSON.parse(JSON.stringify(result));
      } catch (error) {
        const reply: WorkerReply = {
          type: 'result',
          id: request.id,
          ok: false,
          error: { ...toInvokeError(error), errorType: 'Runtime.SerializationError' },
        };
        port.postMessage(reply);
        return;
      }
      port.postMessage({ type: 'result', id: request.id, ok: true, result: payload } satisfies WorkerReply);
    },
    (error: unknown) => {
      port.postMessage({
        type: 'result',
        id: request.id,
        ok: false,
        error: toInvokeError(error),
      } satisfies WorkerReply);
    },
  );
});
