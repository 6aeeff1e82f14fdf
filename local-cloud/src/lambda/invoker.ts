export interface InvokeError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult =
  | { ok: true; result: unknown; durationMs: number }
  | {
      ok: false;
      error: InvokeError;
      timedOut: boolean;
      durationMs: number;
      /** Refused by Lambda before running (reserved concurrency): TooManyRequestsException. */
      throttled?: true;
    };

/** Runs Lambda functions by key; implemented by the Lambda runtime, used by gateways and triggers. */
export interface LambdaInvoker {
  invoke(functionKey: string, event: unknown): Promise<InvokeResult>;
}
