import { connectEvent, lambdaContext } from '@live-comments/shared/testing';
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../adapters/token-verifier';
import type { OpenConnectionDeps } from '../domain/open-connection';
import { buildConnectHandler } from './connect';

const ISSUER = 'https://issuer.example/pool';
const AUDIENCE = 'live-comments';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let issuerKey: Key;
let strangerKey: Key;
let keys: ReturnType<typeof createLocalJWKSet>;
/** The issuer's public key as PEM text: what the algorithm-confusion attack uses as an HMAC secret. */
let publicPem: string;
/**
 * A careless key lookup that hands out the public key for whatever `alg` the
 * token names (PEM bytes for an HMAC): only the verifier's pinned algorithm
 * stands between it and a token forged with the public key.
 */
let carelessKeys: JWTVerifyGetKey;

beforeAll(async () => {
  const issuer = await generateKeyPair('RS256', { extractable: true });
  issuerKey = issuer.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(issuer.publicKey)), kid: 'k1', alg: 'RS256' }] });
  publicPem = await exportSPKI(issuer.publicKey);
  carelessKeys = async (header) =>
    header.alg?.startsWith('HS') ? new TextEncoder().encode(publicPem) : issuer.publicKey;
});

const token = (
  claims: JWTPayload,
  options: { key?: Key; expiresIn?: string | null; issuer?: string } = {},
) => {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt();
  if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(options.key ?? issuerKey);
};

/** A well-formed Cognito access token for alice, with `claims` over it. */
const access = (claims: JWTPayload = {}, options: Parameters<typeof token>[1] = {}) =>
  token({ sub: 'alice', client_id: AUDIENCE, token_use: 'access', ...claims }, options);

/** The same claims signed HS256 with the issuer's public key (PEM) as the secret. */
const confused = () =>
  new SignJWT({ sub: 'alice', client_id: AUDIENCE, token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(publicPem));

/** An unsecured token (`alg: none`, no signature). */
const unsigned = () => {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  const exp = Math.floor(Date.now() / 1000) + 300;
  return `${part({ alg: 'none' })}.${part({ sub: 'alice', client_id: AUDIENCE, token_use: 'access', iss: ISSUER, exp })}.`;
};

/** A handshake made now (the recorded event's connectedAt is in the past of any token signed now). */
const connectNow = (options: Parameters<typeof connectEvent>[0]) => {
  const event = connectEvent(options);
  return { ...event, requestContext: { ...event.requestContext, connectedAt: Date.now() } };
};

const setup = (options: { keys?: JWTVerifyGetKey } = {}) => {
  const open = vi.fn<OpenConnectionDeps['connections']['open']>(async () => undefined);
  const deps: OpenConnectionDeps = {
    connections: { open },
    verifyToken: createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: options.keys ?? keys }),
    allowedOrigins: ['http://localhost:3000', 'https://app.example'],
  };
  return { open, handler: buildConnectHandler(deps) };
};

describe('$connect', () => {
  it('accepts an anonymous reader without a token and records the connection', async () => {
    const { open, handler } = setup();

    const result = await handler(connectEvent({ connectionId: 'abc=' }), lambdaContext());

    expect(result).toEqual({ statusCode: 200 });
    expect(open).toHaveBeenCalledWith({
      connectionId: 'abc=',
      connectedAt: '2026-01-01T00:00:00.000Z',
      connectedHour: '2026-01-01T00#3',
      // API Gateway's 2 hours, the sweep's 5 minutes of grace and its 3 hours of lookback
      expiresAt: 1_767_225_600 + 2 * 3600 + 300 + 3 * 3600,
    });
  });

  it('accepts a Cognito access token whose client_id is the audience and records its user and expiry', async () => {
    const { open, handler } = setup();
    const jwt = await access({}, { expiresIn: '10m' });
    const exp = Math.floor(Date.now() / 1000) + 600;

    const result = await handler(
      connectNow({ connectionId: 'abc=', query: { token: jwt } }),
      lambdaContext(),
    );

    expect(result).toEqual({ statusCode: 200 });
    expect(open).toHaveBeenCalledWith(
      expect.objectContaining({
        userId: 'alice',
        tokenExpiresAt: expect.closeTo(exp, 0),
        // The expired-token sweep's index partition: the expiry hour and the connection's shard.
        tokenExpiryHour: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d#3$/),
      }),
    );
  });

  it('keeps out of the expired-token index a token that outlives API Gateway’s 2 hours', async () => {
    const { open, handler } = setup();
    const jwt = await access({}, { expiresIn: '3h' });

    await handler(connectNow({ query: { token: jwt } }), lambdaContext());

    const recorded = open.mock.calls[0]?.[0];
    expect(recorded?.tokenExpiresAt).toBeGreaterThan(0);
    expect(recorded).not.toHaveProperty('tokenExpiryHour');
  });

  it.each([
    ['an ID token (aud the app client, token_use id)', { sub: 'bob', aud: AUDIENCE, token_use: 'id' }],
    ['a token from an OIDC issuer without token_use, aud among others', { sub: 'bob', aud: [AUDIENCE, 'x'] }],
  ])('accepts %s', async (_case, claims) => {
    const { open, handler } = setup();
    const jwt = await token(claims);

    expect(await handler(connectEvent({ query: { token: jwt } }), lambdaContext())).toEqual({
      statusCode: 200,
    });
    expect(open).toHaveBeenCalledWith(expect.objectContaining({ userId: 'bob' }));
  });

  it.each([
    ['signed by another key', () => token({ sub: 'alice', aud: AUDIENCE }, { key: strangerKey })],
    ['expired', () => token({ sub: 'alice', aud: AUDIENCE }, { expiresIn: '-1m' })],
    ['for another audience', () => token({ sub: 'alice', aud: 'someone-else', client_id: 'x' })],
    ['from another issuer', () => token({ sub: 'alice', aud: AUDIENCE }, { issuer: 'https://evil.example' })],
    ['without a subject', () => token({ aud: AUDIENCE })],
    ['with an empty subject', () => access({ sub: '' })],
    ['without exp', () => access({}, { expiresIn: null })],
    ['with client_id the app but token_use id', () => access({ token_use: 'id' })],
    ['with client_id the app but no token_use', () => access({ token_use: undefined })],
    [
      'with aud the app but token_use access',
      () => token({ sub: 'bob', aud: AUDIENCE, token_use: 'access' }),
    ],
    ['with token_use refresh', () => token({ sub: 'bob', aud: AUDIENCE, token_use: 'refresh' })],
    ['signed alg none', async () => unsigned()],
    ['signed HS256 with the public key as the secret', confused],
    ['not a JWT', async () => 'not-a-jwt'],
  ])('refuses the handshake with 401 for a token %s', async (_case, makeToken) => {
    // The careless key lookup: the refusals must not depend on the key set's own care.
    const { open, handler } = setup({ keys: carelessKeys });

    const result = await handler(connectEvent({ query: { token: await makeToken() } }), lambdaContext());

    expect(result).toEqual({ statusCode: 401 });
    expect(open).not.toHaveBeenCalled();
  });

  it('accepts a browser from an allowed origin', async () => {
    const { open, handler } = setup();

    const result = await handler(
      connectEvent({ headers: { origin: 'https://app.example' } }),
      lambdaContext(),
    );

    expect(result).toEqual({ statusCode: 200 });
    expect(open).toHaveBeenCalledOnce();
  });

  it('refuses a browser from an origin not allowed with 403, even with a good token', async () => {
    const { open, handler } = setup();
    const jwt = await token({ sub: 'alice', aud: AUDIENCE });

    const result = await handler(
      connectEvent({ headers: { Origin: 'https://evil.example' }, query: { token: jwt } }),
      lambdaContext(),
    );

    expect(result).toEqual({ statusCode: 403 });
    expect(open).not.toHaveBeenCalled();
  });

  it('answers 500 when the connection cannot be recorded', async () => {
    const { open, handler } = setup();
    open.mockRejectedValueOnce(new Error('DynamoDB is down'));

    expect(await handler(connectEvent(), lambdaContext())).toEqual({ statusCode: 500 });
  });
});
