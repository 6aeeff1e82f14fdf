import { delay } from '@live-comments/shared';
import type { ConnectionCloser, DeliveryOutcome, FrameSender } from '../domain/ports';
import type { ConnectionsApi } from './connections-api';

export interface FrameSenderOptions {
  api: ConnectionsApi;
  /**
   * Attempts for throttled or failed (5xx, network, timeout) sends; 410 and
   * other 4xx are not retried. Default 1: the broadcaster paces and retries
   * itself; a reply (one frame) retries here.
   */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each send that was not delivered (its last attempt), with why. */
  onFailure?: (connectionId: string, error: unknown, outcome: DeliveryOutcome) => void;
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

/**
 * What a failed call means: 410 `gone`; 429 (or a throttling error name)
 * `throttled`; a 5xx or no answer at all (network, timeout) `failed`, which a
 * later try may pass; any other 4xx `rejected`.
 */
export const outcomeOf = (error: unknown): Exclude<DeliveryOutcome, 'delivered'> => {
  const status = statusOf(error);
  if (nameOf(error) === 'GoneException' || status === 410) return 'gone';
  if (THROTTLING.has(nameOf(error) ?? '') || status === 429) return 'throttled';
  if (status === undefined || status >= 500) return 'failed';
  return 'rejected';
};

/**
 * Builds the `@connections` sender: one PostToConnection per attempt, a
 * closed connection (410 GoneException) reported as `gone` so the caller can
 * forget it, and with `maxAttempts` above 1, throttling and 5xx retried with
 * full-jitter exponential backoff.
 */
export const createFrameSender = ({
  api,
  maxAttempts = 1,
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
        const outcome = outcomeOf(error);
        if (outcome === 'gone') return 'gone';
        if (outcome === 'rejected' || attempt >= maxAttempts) {
          onFailure?.(connectionId, error, outcome);
          return outcome;
        }
        await sleep(Math.random() * baseDelayMs * 2 ** attempt);
      }
    }
  };
};

/**
 * Builds the closer (DeleteConnection), for a flooding connection and for
 * one whose token expired: a connection already closed (410) is no error,
 * anything else that failed throws (the expired-token sweep tries it again
 * next minute).
 */
export const createConnectionCloser =
  (api: ConnectionsApi): ConnectionCloser =>
  async (connectionId) => {
    try {
      await api.deleteConnection(connectionId);
    } catch (error) {
      if (outcomeOf(error) !== 'gone') throw error;
    }
  };
