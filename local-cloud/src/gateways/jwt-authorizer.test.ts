import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { JwtAuthorizerDef } from '../topology/model';
import { claimString, createJwtAuthorizer, identityHeaders, type JwtAuthorizer } from './jwt-authorizer';
import { createLocalIssuer, type LocalIssuer } from './jwt-issuer';

const ISSUER = 'http://localhost:8000/_local';

const def = (overrides: Partial<JwtAuthorizerDef> = {}): JwtAuthorizerDef => ({
  name: 'jwt',
  issuerUrl: ISSUER,
  audience: ['live-comments'],
  identitySource: '$request.header.Authorization',
  ...overrides,
});

describe('createJwtAuthorizer', () => {
  let issuer: LocalIssuer;
  let authorizer: JwtAuthorizer;

  beforeAll(async () => {
    issuer = await createLocalIssuer({ issuerUrl: ISSUER });
    authorizer = createJwtAuthorizer({ def: def(), localIssuer: issuer });
  });

  it('accepts a token of the local issuer and gives its claims as strings', async () => {
    const token = await issuer.issueToken({ sub: 'alice' });
    const result = await authorizer.authorize({ authorization: `Bearer ${token}` });
    if (!result.ok) throw new Error('expected the token to be accepted');
    const { claims, scopes } = result.authorization;
    expect(claims.sub).toBe('alice');
    expect(claims.username).toBe('alice');
    expect(claims.client_id).toBe('live-comments');
    expect(claims.token_use).toBe('access');
    expect(claims.exp).toMatch(/^\d+$/);
    expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
    expect(scopes).toEqual(['aws.cognito.signin.user.admin']);
  });

  it('accepts the token without the Bearer prefix', async () => {
    const token = await issuer.issueToken({ sub: 'bob' });
    expect((await authorizer.authorize({ authorization: token })).ok).toBe(true);
  });

  it('refuses a missing or empty token without a challenge', async () => {
    expect(await authorizer.authorize({})).toEqual({ ok: false });
    expect(await authorizer.authorize({ authorization: 'Bearer ' })).toEqual({ ok: false });
  });

  it('refuses an expired token, even one it accepted before', async () => {
    const token = await issuer.issueToken({ sub: 'alice', expiresIn: 60 });
    expect((await authorizer.authorize({ authorization: `Bearer ${token}` })).ok).toBe(true);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const result = await authorizer.authorize({ authorization: `Bearer ${token}` });
      expect(result).toEqual({ ok: false, challenge: expect.stringContaining('expired') });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ sub: 'mallory', client_id: 'live-comments' })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid ?? '' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const result = await authorizer.authorize({ authorization: `Bearer ${forged}` });
    expect(result).toEqual({ ok: false, challenge: expect.stringContaining('invalid_token') });
  });

  it('refuses what API Gateway refuses: no exp, alg none, HS256 keyed with the public key', async () => {
    const noExp = await issuer.issueToken({ sub: 'mallory', claims: { exp: null } });
    expect(await authorizer.authorize({ authorization: `Bearer ${noExp}` })).toEqual({
      ok: false,
      challenge: expect.stringContaining('no exp'),
    });

    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const claims = {
      sub: 'mallory',
      iss: ISSUER,
      client_id: 'live-comments',
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const unsigned = `${part({ alg: 'none' })}.${part(claims)}.`;
    expect((await authorizer.authorize({ authorization: `Bearer ${unsigned}` })).ok).toBe(false);

    const [jwk] = issuer.jwks.keys;
    if (!jwk) throw new Error('no key');
    const publicKey = await importJWK(jwk, 'RS256');
    if (publicKey instanceof Uint8Array) throw new Error('not a public key');
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid ?? '' })
      .sign(new TextEncoder().encode(await exportSPKI(publicKey)));
    expect((await authorizer.authorize({ authorization: `Bearer ${confused}` })).ok).toBe(false);
  });

  it('refuses a token for another audience or issuer', async () => {
    const otherAudience = await createLocalIssuer({ issuerUrl: ISSUER, audience: 'someone-else' });
    const strict = createJwtAuthorizer({ def: def(), localIssuer: otherAudience });
    const token = await otherAudience.issueToken({ sub: 'alice' });
    expect((await strict.authorize({ authorization: token })).ok).toBe(false);

    const elsewhere = createJwtAuthorizer({
      def: def({ issuerUrl: 'http://other/_local' }),
      keySet: async () => {
        throw new Error('not used');
      },
    });
    expect((await elsewhere.authorize({ authorization: await issuer.issueToken({ sub: 'a' }) })).ok).toBe(
      false,
    );
  });

  it('accepts an aud claim in the audience list', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'carol', groups: ['admin', 'users'], n: 1.5 })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://idp.example.com')
      .setAudience(['live-comments'])
      .setExpirationTime('1h')
      .sign(privateKey);
    const custom = createJwtAuthorizer({
      def: def({ issuerUrl: 'https://idp.example.com' }),
      keySet: async () => publicKey,
    });
    const result = await custom.authorize({ authorization: token });
    if (!result.ok) throw new Error('expected the token to be accepted');
    expect(result.authorization.claims.groups).toBe('[admin users]');
    expect(result.authorization.claims.n).toBe('1.5');
    expect(result.authorization.scopes).toBeNull();
  });
});

describe('claimString', () => {
  it('renders claims the way API Gateway does', () => {
    expect(claimString('a')).toBe('a');
    expect(claimString(1700000000)).toBe('1700000000');
    expect(claimString(true)).toBe('true');
    expect(claimString(['a', 'b'])).toBe('[a b]');
    expect(claimString({ b: 1, a: 'x' })).toBe('map[a:x b:1]');
  });
});

describe('identityHeaders', () => {
  it('reads header identity sources', () => {
    expect(identityHeaders('$request.header.Authorization')).toEqual(['authorization']);
    expect(identityHeaders('$request.header.X-Token, $request.header.Authorization')).toEqual([
      'x-token',
      'authorization',
    ]);
  });
});
