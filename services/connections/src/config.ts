import { loadConfig, once } from '@live-comments/shared';
import { z } from 'zod';

const nonEmpty = z.string().min(1);

/** The tables every function of the service works with. */
export const tablesConfig = once(() =>
  loadConfig(z.object({ CONNECTIONS_TABLE: nonEmpty, SUBSCRIPTIONS_TABLE: nonEmpty })),
);

/** The `@connections` endpoint of this stage's WebSocket API, for replies and broadcasts. */
export const webSocketConfig = once(() => loadConfig(z.object({ WEBSOCKET_API_ENDPOINT: z.url() })));

/** Who may open a connection: the JWT issuer and audience, and the browser origins allowed. */
export const handshakeConfig = once(() =>
  loadConfig(
    z.object({
      JWT_ISSUER: z.url(),
      JWT_AUDIENCE: nonEmpty,
      ALLOWED_ORIGINS: z.string().transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin.length > 0),
      ),
    }),
  ),
);

/** The broadcaster's own resources: its idempotency store and the queue of continuation pages. */
export const broadcastConfig = once(() =>
  loadConfig(z.object({ IDEMPOTENCY_TABLE: nonEmpty, FANOUT_QUEUE_URL: z.url() })),
);
