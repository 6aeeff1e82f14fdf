import { delay } from '@live-comments/shared';
import type { FrameSender } from '../domain/ports';
import type { ConnectionsApi } from './connections-api';

export interface FrameSenderOptions {
  api: ConnectionsApi;
  /** Attempts for throttled or failed (5xx, network) sends; 410 and other 4xx are not retried. */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each send that failed for good, with why. */
  onFailure?: (connectionId: string, error: unknown) => void;
}

const THROTTLING = new Set([
  'LimitExceededException',
  'TooManyRequestsException',
  'ThrottlingException',
  'ThrottledException',
]);

const statusOf = (error: unknown): number | undefined => {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
};

const nameOf = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

const isGone = (error: unknown) => nameOf(error) === 'GoneException' || statusOf(error) === 410;

/** Throttling, server errors, and errors without a response (network, timeout) may pass on a retry. */
const isRetryable = (error: unknown): boolean => {
  const status = statusOf(error);
  if (THROTTLING.has(nameOf(error) ?? '') || status === 429) return true;
  return status === undefined || status >= 500;
};

/**
 * Builds the `@connections` sender: one PostToConnection per frame, throttling
 * and 5xx retried with full-jitter exponential backoff, a closed connection
 * (410 GoneException) reported as `gone` so the caller can forget it.
 */
export const createFrameSender = ({
  api,
  maxAttempts = 3,
  baseDelayMs = 50,
  sleep = delay,
  onFailure,
}: FrameSenderOptions): FrameSender => {
  // A page sends one frame to many connections: encode it once.
  let lastFrame = '';
  let lastData = Buffer.alloc(0);
  return async (connectionId, frame) => {
    if (frame !== lastFrame) {
      lastFrame = frame;
      lastData = Buffer.from(frame, 'utf8');
    }
    const data = lastData;
    for (let attempt = 1; ; attempt++) {
      try {
        await api.postToConnection(connectionId, data);
        return 'delivered';
      } catch (error) {
        if (isGone(error)) return 'gone';
        if (!isRetryable(error) || attempt >= maxAttempts) {
          onFailure?.(connectionId, error);
          return 'failed';
        }
        await sleep(Math.random() * baseDelayMs * 2 ** attempt);
      }
    }
  };
};
