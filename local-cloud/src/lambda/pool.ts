import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { type LogSink, lineSplitter } from '../logs';
import type { InvokeError, InvokeResult } from './invoker';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol';

export interface FunctionPoolOptions {
  functionKey: string;
  /** The CommonJS bootstrap built from worker.ts. */
  bootstrapPath: string;
  workerData: WorkerData;
  env: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  maxWorkers: number;
  /**
   * An environment idle this long is shut down, as Lambda reclaims idle ones
   * (each warm worker holds some 35-45 MB); the next call starts cold.
   */
  idleTimeoutMs: number;
  logs: LogSink;
  /** Set when the function could not be built: every invocation fails with it. */
  buildError?: InvokeError;
}

interface Pending {
  event: unknown;
  resolve: (result: InvokeResult) => void;
}

interface Slot {
  worker: Worker;
  generation: number;
  /** Resolves with the init error, or undefined once the bundle is loaded. */
  ready: Promise<InvokeError | undefined>;
  current?: {
    id: number;
    requestId: string;
    started: number;
    timer: NodeJS.Timeout;
    pending: Pending;
    /** The environment's first invocation. */
    cold: boolean;
  };
  /** Set once the environment has run an invocation: the next ones are warm. */
  used?: true;
  /** Set while the slot waits in `idle`. */
  idleTimer?: NodeJS.Timeout;
  dead: boolean;
}

/**
 * The heap Lambda's Node.js bootstrap gives a function: a tenth of its memory
 * to the young generation (`--max-semi-space-size` of a twentieth), the rest
 * to the old one. In V8's terms the young generation is three semi-spaces
 * (two, plus the new large-object space).
 */
export const lambdaHeap = (memorySizeMb: number) => {
  const semiSpaceMb = Math.max(1, Math.floor(memorySizeMb / 20));
  return {
    maxYoungGenerationSizeMb: semiSpaceMb * 3,
    maxOldGenerationSizeMb: Math.max(64, memorySizeMb - Math.floor(memorySizeMb / 10)),
  };
};

/** The phase Lambda gives a function to load its code, before any invocation. */
const INIT_LIMIT_MS = 10_000;

let nextInvocationId = 1;

/**
 * The execution environments of one function: up to maxWorkers warm workers,
 * each running one invocation at a time; further invocations wait their turn.
 */
export class FunctionPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly queue: Pending[] = [];
  private generation = 0;
  private stopped = false;

  constructor(private readonly options: FunctionPoolOptions) {}

  get workerCount(): number {
    return this.slots.length;
  }

  invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) {
      return Promise.resolve(
        failure({ errorType: 'Runtime.Stopped', errorMessage: 'The local cloud is stopping' }, 0),
      );
    }
    if (this.options.buildError) return Promise.resolve(failure(this.options.buildError, 0));
    return new Promise((resolve) => {
      this.queue.push({ event, resolve });
      this.drain();
    });
  }

  /** New code: idle workers go now, busy ones when their invocation ends. */
  reload(buildError?: InvokeError): void {
    this.generation += 1;
    if (buildError) this.options.buildError = buildError;
    else delete this.options.buildError;
    for (const slot of this.idle.splice(0)) this.retire(slot);
    this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const pending of this.queue.splice(0)) {
      pending.resolve(
        failure({ errorType: 'Runtime.Stopped', errorMessage: 'The local cloud is stopping' }, 0),
      );
    }
    for (const slot of [...this.slots]) {
      if (slot.current) {
        clearTimeout(slot.current.timer);
        slot.current.pending.resolve(
          failure({ errorType: 'Runtime.Stopped', errorMessage: 'The local cloud is stopping' }, 0),
        );
        delete slot.current;
      }
    }
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
    this.idle.length = 0;
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.stopped) {
      // The most recently used first: the others age out and are reclaimed.
      const slot =
        this.idle.pop() ?? (this.slots.length < this.options.maxWorkers ? this.spawn() : undefined);
      if (!slot) return;
      clearTimeout(slot.idleTimer);
      delete slot.idleTimer;
      const pending = this.queue.shift();
      if (pending) void this.dispatch(slot, pending);
    }
  }

  private spawn(): Slot {
    const { options } = this;
    const worker = new Worker(options.bootstrapPath, {
      workerData: options.workerData,
      env: options.env,
      // Without this the worker inherits the parent's loaders (tsx, vitest) and starts slowly.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: lambdaHeap(options.memorySize),
    });
    worker.unref();
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = lineSplitter((line) => options.logs.write(options.functionKey, stream, line));
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (chunk: string) => lines.push(chunk));
      worker[stream].on('end', () => lines.flush());
    }
    let settleReady: (error: InvokeError | undefined) => void = () => {};
    const ready = new Promise<InvokeError | undefined>((resolve) => {
      settleReady = resolve;
    });
    const slot: Slot = { worker, generation: this.generation, ready, dead: false };
    const initTimer = setTimeout(
      () =>
        settleReady({
          errorType: 'Runtime.InitTimeout',
          errorMessage: `Init did not finish in ${INIT_LIMIT_MS} ms`,
        }),
      INIT_LIMIT_MS,
    );
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        clearTimeout(initTimer);
        settleReady(undefined);
      } else if (reply.type === 'initError') {
        clearTimeout(initTimer);
        settleReady(reply.error);
      } else if (slot.current && slot.current.id === reply.id) {
        const duration = Date.now() - slot.current.started;
        const result: InvokeResult = reply.ok
          ? { ok: true, result: reply.result, durationMs: duration }
          : failure(reply.error, duration);
        this.finish(slot, result);
      }
    });
    worker.on('error', (error: Error) => {
      clearTimeout(initTimer);
      const details = {
        errorType: error.name || 'Runtime.ExitError',
        errorMessage: error.message,
        trace: (error.stack ?? '').split('\n'),
      };
      settleReady(details);
      this.crash(slot, details);
    });
    worker.on('exit', (code) => {
      clearTimeout(initTimer);
      const details = {
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: exit status ${code}`,
      };
      settleReady(details);
      this.crash(slot, details);
    });
    this.slots.push(slot);
    return slot;
  }

  private async dispatch(slot: Slot, pending: Pending): Promise<void> {
    const initError = await slot.ready;
    if (slot.dead && !initError) {
      // Crashed between spawn and dispatch: try again on a fresh worker.
      this.queue.unshift(pending);
      this.drain();
      return;
    }
    if (initError) {
      pending.resolve(failure(initError, 0));
      this.retire(slot);
      this.drain();
      return;
    }
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const id = nextInvocationId++;
    const requestId = randomUUID();
    const started = Date.now();
    const timer = setTimeout(() => this.timeOut(slot), timeoutMs);
    slot.current = { id, requestId, started, timer, pending, cold: !slot.used };
    slot.used = true;
    const request: WorkerRequest = { id, requestId, event: pending.event, deadline: started + timeoutMs };
    slot.worker.postMessage(request);
  }

  private finish(slot: Slot, result: InvokeResult): void {
    const current = slot.current;
    if (!current) return;
    clearTimeout(current.timer);
    delete slot.current;
    current.pending.resolve(current.cold ? { ...result, coldStart: true } : result);
    if (slot.dead) {
      // Already retired (timeout or crash): nothing to hand back to the pool.
    } else if (slot.generation !== this.generation || this.stopped) this.retire(slot);
    else this.rest(slot);
    this.drain();
  }

  private timeOut(slot: Slot): void {
    const seconds = this.options.timeoutSeconds.toFixed(2);
    const requestId = slot.current?.requestId ?? '';
    this.options.logs.write(
      this.options.functionKey,
      'runtime',
      `${requestId} Task timed out after ${seconds} seconds`,
    );
    // The environment is not reused after a timeout: Lambda resets it.
    this.retire(slot);
    this.finish(slot, {
      ok: false,
      error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds} seconds` },
      timedOut: true,
      durationMs: this.options.timeoutSeconds * 1000,
    });
  }

  private crash(slot: Slot, details: InvokeError): void {
    if (slot.dead) return;
    this.retire(slot);
    if (slot.current) {
      this.options.logs.write(
        this.options.functionKey,
        'runtime',
        `${details.errorType}: ${details.errorMessage}`,
      );
      this.finish(slot, failure(details, Date.now() - slot.current.started));
    } else {
      this.drain();
    }
  }

  /** Back to the idle environments, until called again or reclaimed. */
  private rest(slot: Slot): void {
    slot.idleTimer = setTimeout(() => this.retire(slot), this.options.idleTimeoutMs);
    slot.idleTimer.unref();
    this.idle.push(slot);
  }

  private retire(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    delete slot.idleTimer;
    if (!slot.dead) {
      slot.dead = true;
      void slot.worker.terminate();
    }
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const idleIndex = this.idle.indexOf(slot);
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1);
  }
}

function failure(error: InvokeError, durationMs: number): InvokeResult {
  return { ok: false, error, timedOut: false, durationMs };
}
