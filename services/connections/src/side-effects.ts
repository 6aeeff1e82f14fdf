import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, logger, metrics, once, tracer } from '@live-comments/shared';
import { createConnectionsApi } from './adapters/connections-api';
import { buildConnectionsTable } from './adapters/connections-table';
import { createFrameSender } from './adapters/frame-sender';
import { buildSubscriptionsTable } from './adapters/subscriptions-table';
import { createTokenVerifier, issuerKeys } from './adapters/token-verifier';
import { broadcastConfig, handshakeConfig, tablesConfig, webSocketConfig } from './config';
import type { BroadcastDeps } from './domain/broadcast';
import { buildContinuationQueue } from './domain/continuation';
import type { OpenConnectionDeps } from './domain/open-connection';

/**
 * The production side effects, built once per container on first use. Handlers
 * take them as a default parameter; tests pass their own.
 */
const tables = () => {
  const config = tablesConfig();
  return { connections: config.CONNECTIONS_TABLE, subscriptions: config.SUBSCRIPTIONS_TABLE };
};

export const connectionStore = once(() => buildConnectionsTable({ client: documentClient(), tables }));

export const subscriptionStore = once(() => buildSubscriptionsTable({ client: documentClient(), tables }));

export const connectDeps = once(
  (): OpenConnectionDeps => ({
    connections: connectionStore(),
    verifyToken: createTokenVerifier({
      issuer: handshakeConfig().JWT_ISSUER,
      audience: handshakeConfig().JWT_AUDIENCE,
      keys: issuerKeys(handshakeConfig().JWT_ISSUER),
    }),
    allowedOrigins: () => handshakeConfig().ALLOWED_ORIGINS,
  }),
);

/** Concurrent PostToConnection calls per invocation; the agent keeps as many sockets alive. */
const BROADCAST_CONCURRENCY = 64;
/** Subscribers per Query page, and so per invocation, of a topic's broadcast. */
const BROADCAST_PAGE_SIZE = 1000;

/**
 * The stage's `@connections` API, one per container: kept-alive sockets (a
 * broadcast is thousands of small POSTs to one host). Not traced per call:
 * a broadcast page would make a thousand subsegments; its log line and
 * metrics say what happened.
 */
const connectionsApi = once(() =>
  createConnectionsApi({
    endpoint: webSocketConfig().WEBSOCKET_API_ENDPOINT,
    maxSockets: BROADCAST_CONCURRENCY,
  }),
);

/** Replies to a client's own frames. */
export const replySender = once(() =>
  createFrameSender({
    api: connectionsApi(),
    onFailure: (connectionId, error) =>
      logger.warn('Reply not delivered', { connectionId, error: error as Error }),
  }),
);

const sqs = once(() => tracer.captureAWSv3Client(new SQSClient({})));

export const broadcastDeps = once(
  (): BroadcastDeps => ({
    subscriptions: subscriptionStore(),
    connections: connectionStore(),
    sendFrame: createFrameSender({
      api: connectionsApi(),
      onFailure: (connectionId, error) =>
        logger.warn('Frame not delivered', { connectionId, error: error as Error }),
    }),
    continueLater: buildContinuationQueue({
      client: sqs(),
      queueUrl: () => broadcastConfig().FANOUT_QUEUE_URL,
    }),
    metrics,
    now: Date.now,
    onPruneFailure: (connectionId, error) =>
      logger.warn('Closed connection not pruned', { connectionId, error: error as Error }),
    log: (message, attributes) => logger.info(message, attributes),
    pageSize: BROADCAST_PAGE_SIZE,
    concurrency: BROADCAST_CONCURRENCY,
  }),
);
