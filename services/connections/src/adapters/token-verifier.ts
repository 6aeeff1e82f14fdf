import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { TokenVerifier } from '../domain/ports';

/** The audience is the token's `client_id` (Cognito access tokens) or one of its `aud`. */
const hasAudience = (payload: JWTPayload, audience: string): boolean => {
  if (payload.client_id === audience) return true;
  const aud = payload.aud;
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
};

/**
 * Verifies a handshake's JWT: signature against the issuer's keys, issuer,
 * expiry, audience, and a `sub` to name the user.
 */
export const createTokenVerifier = ({
  issuer,
  audience,
  keys,
}: {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
}): TokenVerifier => {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer });
      if (!hasAudience(payload, audience)) return undefined;
      return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : undefined;
    } catch (error) {
      // A token that does not verify is the caller's problem (401); an issuer we cannot reach is ours (500).
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) return undefined;
      throw error;
    }
  };
};

/** The issuer's signing keys, fetched from its JWKS and cached for the container's life. */
export const issuerKeys = (issuer: string): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`));
