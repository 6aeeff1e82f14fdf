import { SQSClient } from '@aws-sdk/client-sqs';
import { delay, documentClient, logger, metrics, once, tracer } from '@live-comments/shared';
import { createConnectionsApi } from './adapters/connections-api';
import { buildConnectionsTable } from './adapters/connections-table';
import { buildFanOutQueue } from './adapters/fanout-queue';
import { createConnectionCloser, createFrameSender } from './adapters/frame-sender';
import { buildSubscriptionsTable } from './adapters/subscriptions-table';
import { createTokenVerifier, issuerKeys } from './adapters/token-verifier';
import {
  loadBroadcastConfig,
  loadConnectConfig,
  loadMessageConfig,
  loadTablesConfig,
  loadTokenSweepConfig,
  type TablesConfig,
} from './config';
import { type BroadcastDeps, DEFAULT_BROADCAST_POLICY } from './domain/broadcast';
import type { OpenConnectionDeps } from './domain/open-connection';
import type { ConnectionCloser, ConnectionStore, FrameSender } from './domain/ports';
import type { ReceiveFrameDeps } from './domain/receive-frame';
import type { SweepDeps } from './domain/sweep-stale';
import type { TokenSweepDeps } from './domain/token-expiry';

/**
 * What each function's handler needs, and the real side effects wired for
 * it: each builder loads its function's configuration and is called by the
 * handler module as it is imported (tests build handlers with fakes instead).
 */
export type ConnectDeps = OpenConnectionDeps;

export interface DisconnectDeps {
  connections: Pick<ConnectionStore, 'close'>;
}

export interface CountConnectionsDeps {
  connections: Pick<ConnectionStore, 'countOpen'>;
}

export interface SweepConnectionsDeps extends SweepDeps {
  now: () => number;
}

export interface CloseExpiredConnectionsDeps extends TokenSweepDeps {
  now: () => number;
}

export interface MessageDeps extends ReceiveFrameDeps {
  /** Sends the answer back to the connection the frame came on. */
  reply: FrameSender;
  /** Closes a flooding connection. */
  disconnect: ConnectionCloser;
}

/** `broadcast` and `broadcastPage`: the broadcast, and the table recording which events and pages were sent. */
export interface BroadcasterDeps extends BroadcastDeps {
  idempotencyTable: string;
}

/** Concurrent PostToConnection calls per page; the agent keeps as many sockets alive. */
const BROADCAST_CONCURRENCY = 64;
/** Subscribers per Query page, and so per invocation, of a topic's broadcast. */
const BROADCAST_PAGE_SIZE = 1000;
/**
 * A broadcast's `@connections` call with no answer after this long is a
 * failure to retry. Within the policy's 5 s margin before the Lambda
 * timeout, so the last sends answer before the continuations are enqueued.
 */
const BROADCAST_SEND_TIMEOUT_MS = 3_000;
/** A reply is one frame: retried here, 3 attempts in all with full-jitter backoff. */
const REPLY_ATTEMPTS = 3;

const tablesOf = (config: TablesConfig) => ({
  connections: config.CONNECTIONS_TABLE,
  subscriptions: config.SUBSCRIPTIONS_TABLE,
});

const connectionsTable = (config: TablesConfig) =>
  buildConnectionsTable({ client: documentClient(), tables: tablesOf(config) });

/**
 * The stage's `@connections` API: kept-alive sockets (a broadcast is
 * thousands of small POSTs to one host). Not traced per call: a broadcast
 * page would make a thousand subsegments; its log line and metrics say what
 * happened.
 */
const connectionsApi = (endpoint: string, timeoutMs?: number) =>
  createConnectionsApi({
    endpoint,
    maxSockets: BROADCAST_CONCURRENCY,
    ...(timeoutMs ? { timeoutMs } : {}),
  });

export const connectSideEffects = (): ConnectDeps => {
  const config = loadConnectConfig();
  return {
    connections: connectionsTable(config),
    verifyToken: createTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      keys: issuerKeys(config.JWT_ISSUER),
    }),
    allowedOrigins: config.ALLOWED_ORIGINS,
  };
};

export const disconnectSideEffects = (): DisconnectDeps => ({
  connections: connectionsTable(loadTablesConfig()),
});

export const countConnectionsSideEffects = (): CountConnectionsDeps => ({
  connections: connectionsTable(loadTablesConfig()),
});

export const sweepConnectionsSideEffects = (): SweepConnectionsDeps => ({
  connections: connectionsTable(loadTablesConfig()),
  now: Date.now,
});

export const closeExpiredConnectionsSideEffects = (): CloseExpiredConnectionsDeps => {
  const config = loadTokenSweepConfig();
  const api = connectionsApi(config.WEBSOCKET_API_ENDPOINT);
  const close = createConnectionCloser(api);
  return {
    connections: connectionsTable(config),
    sendFrame: createFrameSender({ api, maxAttempts: REPLY_ATTEMPTS }),
    closeConnection: async (connectionId) => {
      try {
        await close(connectionId);
      } catch (error) {
        logger.warn('Expired connection not closed', { connectionId, error: error as Error });
        throw error;
      }
    },
    now: Date.now,
  };
};

export const messageSideEffects = (): MessageDeps => {
  const config = loadMessageConfig();
  const api = connectionsApi(config.WEBSOCKET_API_ENDPOINT);
  return {
    connections: connectionsTable(config),
    subscriptions: buildSubscriptionsTable({ client: documentClient(), tables: tablesOf(config) }),
    frameLimit: {
      perSecond: config.FRAMES_PER_SECOND,
      burst: config.FRAME_BURST,
      floodAfter: config.FLOOD_AFTER_REFUSED_FRAMES,
    },
    maxSubscriptions: config.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    now: () => new Date(),
    onStoreError: (error) => logger.error('Subscription store failed', error as Error),
    onBudgetError: (error) => logger.error('Frame budget not kept; frame acted on', error as Error),
    disconnect: createConnectionCloser(api),
    reply: createFrameSender({
      api,
      maxAttempts: REPLY_ATTEMPTS,
      onFailure: (connectionId, error) =>
        logger.warn('Reply not delivered', { connectionId, error: error as Error }),
    }),
  };
};

/** Shared by `broadcast` and `broadcastPage`, built once per container. */
export const broadcasterSideEffects = once((): BroadcasterDeps => {
  const config = loadBroadcastConfig();
  return {
    subscriptions: buildSubscriptionsTable({ client: documentClient(), tables: tablesOf(config) }),
    connections: connectionsTable(config),
    // One attempt per call: the broadcast paces and retries (throttled or failed frames are counted per page).
    sendFrame: createFrameSender({
      api: connectionsApi(config.WEBSOCKET_API_ENDPOINT, BROADCAST_SEND_TIMEOUT_MS),
      onFailure: (connectionId, error, outcome) => {
        if (outcome === 'rejected')
          logger.warn('Frame refused by @connections', { connectionId, error: error as Error });
      },
    }),
    continueLater: buildFanOutQueue({
      client: tracer.captureAWSv3Client(new SQSClient({})),
      queueUrl: config.FANOUT_QUEUE_URL,
    }),
    metrics,
    now: Date.now,
    sleep: delay,
    onPruneFailure: (connectionId, error) =>
      logger.warn('Closed connection not pruned', { connectionId, error: error as Error }),
    log: (message, attributes) => logger.info(message, attributes),
    warn: (message, attributes) => logger.warn(message, attributes),
    pageSize: BROADCAST_PAGE_SIZE,
    concurrency: BROADCAST_CONCURRENCY,
    policy: DEFAULT_BROADCAST_POLICY,
    idempotencyTable: config.IDEMPOTENCY_TABLE,
  };
});
