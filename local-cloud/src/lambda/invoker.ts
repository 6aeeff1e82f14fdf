export interface InvokeError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** Set when the invocation ran in a new execution environment (Lambda's cold start: an Init Duration in REPORT). */
interface ColdStart {
  coldStart?: true;
}

export type InvokeResult =
  | ({ ok: true; result: unknown; durationMs: number } & ColdStart)
  | ({
      ok: false;
      error: InvokeError;
      timedOut: boolean;
      durationMs: number;
      /** Refused by Lambda before running (reserved concurrency): TooManyRequestsException. */
      throttled?: true;
    } & ColdStart);

/** Runs Lambda functions by key; implemented by the Lambda runtime, used by gateways and triggers. */
export interface LambdaInvoker {
  invoke(functionKey: string, event: unknown): Promise<InvokeResult>;
}
