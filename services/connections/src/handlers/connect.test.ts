import { connectEvent, lambdaContext } from '@live-comments/shared/testing';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
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

beforeAll(async () => {
  const issuer = await generateKeyPair('RS256');
  issuerKey = issuer.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(issuer.publicKey)), kid: 'k1', alg: 'RS256' }] });
});

const token = (claims: JWTPayload, options: { key?: Key; expiresIn?: string; issuer?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? issuerKey);

const setup = () => {
  const open = vi.fn<OpenConnectionDeps['connections']['open']>(async () => undefined);
  const deps: OpenConnectionDeps = {
    connections: { open },
    verifyToken: createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys }),
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

  it('accepts a Cognito access token whose client_id is the audience and records its user', async () => {
    const { open, handler } = setup();
    const jwt = await token({ sub: 'alice', client_id: AUDIENCE, token_use: 'access' });

    const result = await handler(connectEvent({ query: { token: jwt } }), lambdaContext());

    expect(result).toEqual({ statusCode: 200 });
    expect(open).toHaveBeenCalledWith(expect.objectContaining({ userId: 'alice' }));
  });

  it('accepts a token whose aud is the audience', async () => {
    const { open, handler } = setup();
    const jwt = await token({ sub: 'bob', aud: [AUDIENCE, 'other'] });

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
    ['not a JWT', async () => 'not-a-jwt'],
  ])('refuses the handshake with 401 for a token %s', async (_case, makeToken) => {
    const { open, handler } = setup();

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
