import type { ConnectionStore } from '../adapters/connections-table';
import type { TokenVerifier } from '../adapters/token-verifier';
import { connectedHourOf, connectionExpiresAt } from './lifetime';
import { isOriginAllowed } from './origin';

export interface Handshake {
  connectionId: string;
  connectedAt: number;
  origin: string | undefined;
  token: string | undefined;
}

export interface OpenConnectionDeps {
  connections: Pick<ConnectionStore, 'open'>;
  verifyToken: TokenVerifier;
  allowedOrigins: () => readonly string[];
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
  handshake: Handshake,
  deps: OpenConnectionDeps,
): Promise<HandshakeOutcome> => {
  if (!isOriginAllowed(handshake.origin, deps.allowedOrigins())) {
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
