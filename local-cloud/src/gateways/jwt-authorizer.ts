import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { JwtAuthorizerDef } from '../topology/model';
import type { LocalIssuer } from './jwt-issuer';

/**
 * API Gateway HTTP API's JWT authorizer: takes the token from the identity
 * source, verifies signature (RS256 against the issuer's JWKS), `exp`, `nbf`,
 * `iss` equal to the authorizer's issuer URL and `aud` or `client_id` in its
 * audience list; hands the claims to the integration the way API Gateway does
 * (every value a string, arrays as `[a b]`).
 */

export interface JwtAuthorization {
  claims: Record<string, string>;
  scopes: string[] | null;
}

export type AuthorizeResult =
  | { ok: true; authorization: JwtAuthorization }
  | {
      ok: false /** API Gateway's `www-authenticate` header value, when the token was present but bad. */;
      challenge?: string;
    };

export interface JwtAuthorizer {
  /** `headers` keyed by lower-cased name. */
  authorize(headers: Record<string, string>): Promise<AuthorizeResult>;
}

/** How API Gateway renders a claim: strings as they are, numbers and booleans printed, arrays `[a b]`. */
export const claimString = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimString).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([key, item]) => `${key}:${claimString(item)}`).join(' ')}]`;
  }
  return String(value);
};

const toAuthorization = (payload: JWTPayload): JwtAuthorization => {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) claims[key] = claimString(value);
  const scope = payload.scope ?? payload.scp;
  const scopes =
    typeof scope === 'string'
      ? scope.split(' ').filter(Boolean)
      : Array.isArray(scope)
        ? scope.map(claimString)
        : null;
  return { claims, scopes };
};

/** `$request.header.Authorization` -> `authorization` (a comma-separated list means every source is required). */
export const identityHeaders = (identitySource: string): string[] =>
  identitySource
    .split(',')
    .map((source) => source.trim())
    .filter((source) => source.startsWith('$request.header.'))
    .map((source) => source.slice('$request.header.'.length).toLowerCase());

const matchesAudience = (payload: JWTPayload, audience: string[]): boolean => {
  const aud = payload.aud;
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (auds.some((value) => audience.includes(value))) return true;
  return typeof payload.client_id === 'string' && audience.includes(payload.client_id);
};

const challenge = (description: string) =>
  `Bearer scope="" error="invalid_token" error_description="${description}"`;

const describe = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token has an invalid signature';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token has an invalid ${error.claim} claim`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token signing method is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token signing key is unknown';
  return 'the token is invalid';
};

const MAX_CACHED_TOKENS = 10_000;

export interface JwtAuthorizerOptions {
  def: JwtAuthorizerDef;
  /** The local issuer: tokens for its issuer URL are checked against its key, without any network. */
  localIssuer?: LocalIssuer;
  /** For other issuers; defaults to `<issuerUrl>/.well-known/jwks.json` (Cognito's location). */
  keySet?: JWTVerifyGetKey;
}

export const createJwtAuthorizer = ({ def, localIssuer, keySet }: JwtAuthorizerOptions): JwtAuthorizer => {
  const issuerUrl = def.issuerUrl.replace(/\/+$/, '');
  const keys =
    keySet ??
    (localIssuer && localIssuer.issuerUrl === issuerUrl
      ? createLocalJWKSet(localIssuer.jwks)
      : createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`)));
  const headers = identityHeaders(def.identitySource);
  // A verified token is checked again only for expiry: RS256 verification per request is the costly part.
  const verified = new Map<string, { authorization: JwtAuthorization; exp: number; nbf: number }>();

  const authorize = async (requestHeaders: Record<string, string>): Promise<AuthorizeResult> => {
    if (headers.length === 0) return { ok: false };
    const values = headers.map((name) => requestHeaders[name]);
    const raw = values[0];
    if (raw === undefined || values.some((value) => value === undefined || value === ''))
      return { ok: false };
    const token = raw.startsWith('Bearer ') ? raw.slice(7).trim() : raw.trim();
    if (token === '') return { ok: false };

    const now = Date.now() / 1000;
    const cached = verified.get(token);
    if (cached) {
      if (now < cached.exp && now >= cached.nbf) return { ok: true, authorization: cached.authorization };
      verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: issuerUrl, algorithms: ['RS256'] });
      if (payload.exp === undefined) return { ok: false, challenge: challenge('the token has no exp claim') };
      if (!matchesAudience(payload, def.audience)) {
        return { ok: false, challenge: challenge('the token has an invalid aud claim') };
      }
      const authorization = toAuthorization(payload);
      if (verified.size >= MAX_CACHED_TOKENS) verified.clear();
      verified.set(token, { authorization, exp: payload.exp, nbf: payload.nbf ?? 0 });
      return { ok: true, authorization };
    } catch (error) {
      return { ok: false, challenge: challenge(describe(error)) };
    }
  };

  return { authorize };
};
