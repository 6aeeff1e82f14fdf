import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, logger, managementApi, metrics, once, tracer } from '@live-comments/shared';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createTokenVerifier, issuerKeys } from './auth/token';
import type { BroadcastDeps } from './broadcast/broadcast';
import { buildContinuationQueue } from './broadcast/continuation';
import { broadcastConfig, handshakeConfig, tablesConfig, webSocketConfig } from './config';
import type { OpenConnectionDeps } from './connections/open-connection';
import { buildConnectionStore } from './connections/store';
import { createFramePoster } from './delivery/post-frame';
import { buildSubscriptionStore } from './subscriptions/store';

/**
 * The production side effects, built once per container on first use. Handlers
 * take them as a default parameter; tests pass their own.
 */
const tables = () => {
  const config = tablesConfig();
  return { connections: config.CONNECTIONS_TABLE, subscriptions: config.SUBSCRIPTIONS_TABLE };
};

export const connectionStore = once(() => buildConnectionStore({ client: documentClient(), tables }));

export const subscriptionStore = once(() => buildSubscriptionStore({ client: documentClient(), tables }));

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

/** Replies to a client's own frames go through the shared `@connections` client. */
export const replyPoster = once(() =>
  createFramePoster({
    client: managementApi(webSocketConfig().WEBSOCKET_API_ENDPOINT),
    onFailure: (connectionId, error) =>
      logger.warn('Reply not delivered', { connectionId, error: error as Error }),
  }),
);

/** Concurrent PostToConnection calls per invocation; the agent keeps as many sockets alive. */
const BROADCAST_CONCURRENCY = 64;
/** Subscribers per Query page, and so per invocation, of a topic's broadcast. */
const BROADCAST_PAGE_SIZE = 1000;

/**
 * The broadcaster's own `@connections` client: kept-alive sockets (a broadcast
 * is thousands of small POSTs to one host), and no SDK retries, since the
 * frame poster retries throttling itself with jittered backoff.
 */
const broadcastClient = once(() => {
  const agentOptions = { keepAlive: true, maxSockets: BROADCAST_CONCURRENCY };
  return tracer.captureAWSv3Client(
    new ApiGatewayManagementApiClient({
      endpoint: webSocketConfig().WEBSOCKET_API_ENDPOINT,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        httpsAgent: new HttpsAgent(agentOptions),
        httpAgent: new HttpAgent(agentOptions),
        connectionTimeout: 2_000,
        requestTimeout: 5_000,
      }),
    }),
  );
});

const sqs = once(() => tracer.captureAWSv3Client(new SQSClient({})));

export const broadcastDeps = once(
  (): BroadcastDeps => ({
    subscriptions: subscriptionStore(),
    connections: connectionStore(),
    postFrame: createFramePoster({
      client: broadcastClient(),
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
