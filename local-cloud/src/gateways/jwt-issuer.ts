import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { readBody, sendJson } from './http-io';

/**
 * The local JWT issuer: an RS256 key made at start, a JWKS and OpenID
 * configuration under `<issuerUrl>/.well-known/`, and `POST <issuerUrl>/token`
 * that mints tokens shaped like a Cognito user pool's ACCESS token, so the
 * HTTP gateway's JWT authorizer (and the handlers behind it) see what they
 * would see in AWS.
 */

export interface LocalIssuerOptions {
  /** e.g. `http://localhost:8000/_local`; its path is where the issuer's routes are served. */
  issuerUrl: string;
  /** The token's `client_id` (Cognito access tokens carry no `aud`). Default `live-comments`. */
  audience?: string;
}

export interface IssueTokenInput {
  sub: string;
  /** Lifetime in seconds; default one hour. */
  expiresIn?: number;
  /**
   * Claims over the Cognito access token's (in-process callers only, never
   * from `POST /token`): a claim set to null is left out. For tests of tokens
   * a verifier must refuse (no `exp`, no `sub`, another `token_use`).
   */
  claims?: Record<string, unknown>;
}

export interface LocalIssuer {
  issuerUrl: string;
  audience: string;
  /** The path the issuer's routes live under, e.g. `/_local`. */
  basePath: string;
  jwks: { keys: JWK[] };
  issueToken(input: IssueTokenInput): Promise<string>;
  /** Serves the issuer's routes; returns false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

export const DEFAULT_AUDIENCE = 'live-comments';
const DEFAULT_EXPIRES_IN = 3600;
const MAX_EXPIRES_IN = 7 * 24 * 3600;
const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

const badRequest = (res: ServerResponse, message: string) =>
  sendJson(res, 400, { error: { code: 'validation_failed', message } });

/** Validates `{"sub": "alice", "expiresIn"?: seconds}`; returns the input or an error message. */
export const parseTokenRequest = (raw: Buffer): IssueTokenInput | string => {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'The body is not valid JSON.';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'The body must be a JSON object.';
  const { sub, expiresIn } = body as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 128) {
    return '"sub" must be a non-empty string of at most 128 characters.';
  }
  if (expiresIn === undefined) return { sub };
  if (
    typeof expiresIn !== 'number' ||
    !Number.isInteger(expiresIn) ||
    expiresIn < 1 ||
    expiresIn > MAX_EXPIRES_IN
  ) {
    return `"expiresIn" must be a whole number of seconds between 1 and ${MAX_EXPIRES_IN}.`;
  }
  return { sub, expiresIn };
};

export const createLocalIssuer = async (options: LocalIssuerOptions): Promise<LocalIssuer> => {
  const issuerUrl = options.issuerUrl.replace(/\/+$/, '');
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const basePath = new URL(issuerUrl).pathname.replace(/\/+$/, '');
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const openidConfiguration = {
    issuer: issuerUrl,
    jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
    token_endpoint: `${issuerUrl}/token`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };

  const issueToken = async ({ sub, expiresIn = DEFAULT_EXPIRES_IN, claims = {} }: IssueTokenInput) => {
    const now = Math.floor(Date.now() / 1000);
    // The claims of a Cognito access token, in Cognito's order.
    const payload: Record<string, unknown> = {
      sub,
      iss: issuerUrl,
      client_id: audience,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: now,
      exp: now + expiresIn,
      iat: now,
      jti: randomUUID(),
      username: sub,
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === null) delete payload[name];
    return new SignJWT(payload).setProtectedHeader({ kid, alg: 'RS256' }).sign(privateKey);
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    'GET /.well-known/jwks.json': (_req, res) => sendJson(res, 200, jwks),
    'GET /.well-known/openid-configuration': (_req, res) => sendJson(res, 200, openidConfiguration),
    'POST /token': (req, res) => {
      readBody(req, MAX_TOKEN_REQUEST_BYTES)
        .then(async (read) => {
          if (!read.ok) {
            sendJson(res, 413, { error: { code: 'payload_too_large', message: 'The body is too large.' } });
            return;
          }
          const input = parseTokenRequest(read.body);
          if (typeof input === 'string') {
            badRequest(res, input);
            return;
          }
          sendJson(res, 200, { token: await issueToken(input) });
        })
        .catch(() => {
          if (!res.headersSent)
            sendJson(res, 500, { error: { code: 'internal', message: 'Token issue failed.' } });
        });
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (!path.startsWith(`${basePath}/`)) return false;
    const route = routes[`${req.method} ${path.slice(basePath.length)}`];
    if (!route) return false;
    route(req, res);
    return true;
  };

  return { issuerUrl, audience, basePath, jwks, issueToken, handle };
};
