import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createLocalIssuer, parseTokenRequest } from './jwt-issuer';

describe('createLocalIssuer', () => {
  it('issues tokens with the claims of a Cognito access token', async () => {
    const issuer = await createLocalIssuer({ issuerUrl: 'http://localhost:8000/_local/' });
    const token = await issuer.issueToken({ sub: 'alice' });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(
      [
        'auth_time',
        'client_id',
        'event_id',
        'exp',
        'iat',
        'iss',
        'jti',
        'origin_jti',
        'scope',
        'sub',
        'token_use',
        'username',
      ].sort(),
    );
    expect(claims).toMatchObject({
      sub: 'alice',
      username: 'alice',
      iss: 'http://localhost:8000/_local',
      client_id: 'live-comments',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: issuer.jwks.keys[0]?.kid });
    expect(issuer.basePath).toBe('/_local');
  });

  it('honours the audience and lifetime asked for', async () => {
    const issuer = await createLocalIssuer({ issuerUrl: 'http://127.0.0.1:9/_local', audience: 'web' });
    const claims = decodeJwt(await issuer.issueToken({ sub: 'bob', expiresIn: 60 }));
    expect(claims.client_id).toBe('web');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
  });

  it('lays claims over the Cognito ones for in-process callers, null leaving one out', async () => {
    const issuer = await createLocalIssuer({ issuerUrl: 'http://localhost:8000/_local' });
    const claims = decodeJwt(
      await issuer.issueToken({ sub: 'mallory', claims: { exp: null, token_use: 'id', extra: 1 } }),
    );
    expect(claims).not.toHaveProperty('exp');
    expect(claims).toMatchObject({ sub: 'mallory', token_use: 'id', extra: 1 });
  });

  it('publishes only the public key', async () => {
    const issuer = await createLocalIssuer({ issuerUrl: 'http://localhost:8000/_local' });
    expect(issuer.jwks.keys).toHaveLength(1);
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('parseTokenRequest', () => {
  const parse = (body: string) => parseTokenRequest(Buffer.from(body));

  it('accepts a subject and an optional lifetime', () => {
    expect(parse('{"sub":"alice"}')).toEqual({ sub: 'alice' });
    expect(parse('{"sub":"alice","expiresIn":120}')).toEqual({ sub: 'alice', expiresIn: 120 });
    // Over HTTP only good tokens are minted: claims are for in-process callers.
    expect(parse('{"sub":"alice","claims":{"exp":null}}')).toEqual({ sub: 'alice' });
  });

  it('explains what is wrong with a bad body', () => {
    expect(parse('not json')).toBe('The body is not valid JSON.');
    expect(parse('[]')).toBe('The body must be a JSON object.');
    expect(parse('{"sub":""}')).toMatch(/"sub"/);
    expect(parse('{"sub":"a","expiresIn":-1}')).toMatch(/"expiresIn"/);
    expect(parse('{"sub":"a","expiresIn":"60"}')).toMatch(/"expiresIn"/);
  });
});
