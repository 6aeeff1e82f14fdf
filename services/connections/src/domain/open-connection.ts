import { connectedHourOf, connectionExpiresAt } from './lifetime';
import { isOriginAllowed } from './origin';
import type { ConnectionStore, TokenVerifier } from './ports';

export interface Handshake {
  connectionId: string;
  connectedAt: number;
  origin: string | undefined;
  token: string | undefined;
}

export interface OpenConnectionDeps {
  connections: Pick<ConnectionStore, 'open'>;
  verifyToken: TokenVerifier;
  /** The browser origins allowed for the stage. */
  allowedOrigins: readonly string[];
}

export type HandshakeOutcome =
  | { accepted: true; userId: string | undefined }
  | { accepted: false; status: 401 | 403; reason: string };

/**
 * Decides a `$connect`: a browser from an origin not allowed is turned away
 * (403), a token that does not verify is turned away (401), no token is an
 * anonymous reader. An accepted connection is recorded and counted.
 */
export const openConnection = async (
  deps: OpenConnectionDeps,
  handshake: Handshake,
): Promise<HandshakeOutcome> => {
  if (!isOriginAllowed(handshake.origin, deps.allowedOrigins)) {
    return { accepted: false, status: 403, reason: 'origin_not_allowed' };
  }
  let userId: string | undefined;
  if (handshake.token !== undefined) {
    userId = await deps.verifyToken(handshake.token);
    if (!userId) return { accepted: false, status: 401, reason: 'invalid_token' };
  }
  await deps.connections.open({
    connectionId: handshake.connectionId,
    ...(userId ? { userId } : {}),
    connectedAt: new Date(handshake.connectedAt).toISOString(),
    connectedHour: connectedHourOf(handshake.connectedAt, handshake.connectionId),
    expiresAt: connectionExpiresAt(handshake.connectedAt),
  });
  return { accepted: true, userId };
};
