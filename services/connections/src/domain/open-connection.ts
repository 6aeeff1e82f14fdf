import { connectedHourOf, connectionExpiresAt } from './lifetime';
import { isOriginAllowed } from './origin';
import type { ConnectionStore, TokenVerifier, VerifiedToken } from './ports';
import { tokenExpiryHourOf } from './token-expiry';

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
  | { accepted: false; status: 401 | 403; reason: string; detail?: string };

/**
 * Decides a `$connect`: a browser from an origin not allowed is turned away
 * (403), a token that does not verify is turned away (401), no token is an
 * anonymous reader. An accepted connection is recorded and counted, with
 * its token's expiry for the expired-token sweep (`token-expiry.ts`).
 */
export const openConnection = async (
  deps: OpenConnectionDeps,
  handshake: Handshake,
): Promise<HandshakeOutcome> => {
  if (!isOriginAllowed(handshake.origin, deps.allowedOrigins)) {
    return { accepted: false, status: 403, reason: 'origin_not_allowed' };
  }
  let token: VerifiedToken | undefined;
  if (handshake.token !== undefined) {
    const verified = await deps.verifyToken(handshake.token);
    if ('refused' in verified)
      return { accepted: false, status: 401, reason: 'invalid_token', detail: verified.refused };
    token = verified;
  }
  const tokenExpiryHour =
    token && tokenExpiryHourOf(token.expiresAt, handshake.connectedAt, handshake.connectionId);
  await deps.connections.open({
    connectionId: handshake.connectionId,
    ...(token ? { userId: token.userId, tokenExpiresAt: token.expiresAt } : {}),
    ...(tokenExpiryHour ? { tokenExpiryHour } : {}),
    connectedAt: new Date(handshake.connectedAt).toISOString(),
    connectedHour: connectedHourOf(handshake.connectedAt, handshake.connectionId),
    expiresAt: connectionExpiresAt(handshake.connectedAt),
  });
  return { accepted: true, userId: token?.userId };
};
