import type { InvokeResult, LambdaInvoker } from '../lambda/invoker';

export const TIMED_OUT = Symbol('integration timed out');

/**
 * Invokes a function under API Gateway's integration timeout: past it the
 * gateway answers on its own (the function may still be running, as in AWS).
 * A rejected invoke counts as a function error.
 */
export const invokeWithin = (
  invoker: LambdaInvoker,
  functionKey: string,
  event: unknown,
  timeoutMs: number,
): Promise<InvokeResult | typeof TIMED_OUT> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    invoker.invoke(functionKey, event).then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({
          ok: false,
          error: { errorType: 'InvokeError', errorMessage: String(error) },
          timedOut: false,
          durationMs: 0,
        });
      },
    );
  });
