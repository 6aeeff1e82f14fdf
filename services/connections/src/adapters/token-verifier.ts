import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { TokenVerifier } from '../domain/ports';

const audiences = (payload: JWTPayload): string[] => {
  const aud = payload.aud;
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
};

/**
 * Which tokens name the app, the rule of README.md "Tokens and the
 * handshake": a Cognito access token (`client_id` the app client,
 * `token_use: 'access'`), or an ID token (`aud` the app client,
 * `token_use: 'id'`, or no `token_use` at all from an OIDC issuer other
 * than Cognito). The HTTP API's JWT authorizer accepts the same tokens (it
 * cannot read `token_use`, and Cognito never issues a token this refuses).
 */
const audienceRefusal = (payload: JWTPayload, audience: string): string | undefined => {
  const tokenUse = payload.token_use;
  if (payload.client_id === audience) return tokenUse === 'access' ? undefined : 'token_use';
  if (audiences(payload).includes(audience))
    return tokenUse === undefined || tokenUse === 'id' ? undefined : 'token_use';
  return 'aud';
};

/** Why jose refused a token, in a word for the log (never the token itself). */
const refusalOf = (error: errors.JOSEError): string => {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim_${error.claim}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  return error.code;
};

/**
 * Verifies a handshake's JWT: an RS256 signature (the algorithm pinned, so
 * neither `none` nor an HMAC keyed with the public key passes) against the
 * issuer's keys, the issuer, an `exp` in the future and a `sub` (both
 * required: jose checks `exp` only when present), and the audience rule
 * above. A verified token names its user and when it expires.
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
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      // A token that does not verify is the caller's problem (401); an issuer we cannot reach is ours (500).
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout))
        return { refused: refusalOf(error) };
      throw error;
    }
    const refusal = audienceRefusal(payload, audience);
    if (refusal) return { refused: refusal };
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return { refused: 'claim_sub' };
    if (typeof payload.exp !== 'number') return { refused: 'claim_exp' };
    return { userId: payload.sub, expiresAt: payload.exp };
  };
};

/** The issuer's signing keys, fetched from its JWKS and cached for the container's life. */
export const issuerKeys = (issuer: string): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`));
