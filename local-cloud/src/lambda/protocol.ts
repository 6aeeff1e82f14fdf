/** Messages between the runtime and an execution environment (a worker thread). */
import type { InvokeError } from './invoker';

export interface WorkerData {
  bundlePath: string;
  /** Export path inside the bundle, e.g. `handler` or `handlers.main`. */
  exportName: string;
  /** As written in serverless.yml, for error messages. */
  handler: string;
  functionName: string;
  functionArn: string;
  memorySize: number;
  logGroupName: string;
  logStreamName: string;
  /** Where workers keep V8's compile cache (node:module enableCompileCache). */
  compileCacheDir?: string;
}

export interface WorkerRequest {
  id: number;
  requestId: string;
  event: unknown;
  /** Epoch ms when the invocation times out, for getRemainingTimeInMillis. */
  deadline: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'initError'; error: InvokeError }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: InvokeError };
