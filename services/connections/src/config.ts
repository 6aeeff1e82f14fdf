import { loadConfig } from '@live-comments/shared';
import { z } from 'zod';

/**
 * The environment of each function, as serverless.yml sets it. Every handler
 * module loads its function's configuration when it is imported (Lambda's
 * init phase), so a misconfigured function fails at cold start naming the
 * variable; each asks only for what it uses.
 */
const nonEmpty = z.string().min(1);

/** The connections table, and the subscriptions table whose rows go with a closed connection. */
const tables = { CONNECTIONS_TABLE: nonEmpty, SUBSCRIPTIONS_TABLE: nonEmpty };

/** The `@connections` endpoint of this stage's WebSocket API, for replies and broadcasts. */
const webSocketApi = { WEBSOCKET_API_ENDPOINT: z.url() };

/** `$connect`: the tables, and who may open a connection (JWT issuer and audience, browser origins). */
export const connectConfig = z.object({
  ...tables,
  JWT_ISSUER: z.url(),
  JWT_AUDIENCE: nonEmpty,
  ALLOWED_ORIGINS: z.string().transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
  ),
});

/** `$disconnect`, `countConnections` and `sweepConnections`: the tables only. */
export const tablesConfig = z.object(tables);

/** `closeExpired`: the tables, and `@connections` for the token_expired frame and DeleteConnection. */
export const tokenSweepConfig = z.object({ ...tables, ...webSocketApi });

/** A whole number from a variable (serverless.yml passes params as text). */
const count = (min: number) => z.coerce.number().int().min(min);

/**
 * Client frames: the tables (the connection's record keeps its frame budget
 * and subscription count), `@connections` for the replies and to close a
 * flooding connection, and the per-connection limits (README.md, "Limits").
 */
export const messageConfig = z.object({
  ...tables,
  ...webSocketApi,
  FRAMES_PER_SECOND: z.coerce.number().positive(),
  FRAME_BURST: count(1),
  FLOOD_AFTER_REFUSED_FRAMES: count(0),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: count(1),
});

/** `broadcast` and `broadcastPage`: the tables, `@connections`, the idempotency store and the fan-out queue. */
export const broadcastConfig = z.object({
  ...tables,
  ...webSocketApi,
  IDEMPOTENCY_TABLE: nonEmpty,
  FANOUT_QUEUE_URL: z.url(),
});

export type TablesConfig = z.infer<typeof tablesConfig>;

export const loadConnectConfig = () => loadConfig(connectConfig);
export const loadTablesConfig = () => loadConfig(tablesConfig);
export const loadMessageConfig = () => loadConfig(messageConfig);
export const loadTokenSweepConfig = () => loadConfig(tokenSweepConfig);
export const loadBroadcastConfig = () => loadConfig(broadcastConfig);
