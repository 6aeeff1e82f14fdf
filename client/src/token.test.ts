import { describe, expect, it } from 'vitest';
import { refreshAt, tokenLifetime } from './token';

const jwt = (payload: unknown) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('tokenLifetime', () => {
  it('reads exp and iat from the payload (base64url, UTF-8) without verifying it', () => {
    // "ü~~~" makes the base64url text use - and _, which plain atob does not read.
    expect(tokenLifetime(jwt({ sub: 'ü~~~?>', exp: 1_800_000_000, iat: 1_799_996_400 }))).toEqual({
      expiresAtMs: 1_800_000_000_000,
      issuedAtMs: 1_799_996_400_000,
    });
    expect(tokenLifetime(jwt({ exp: 1_800_000_000 }))).toEqual({ expiresAtMs: 1_800_000_000_000 });
  });

  it('knows nothing of a token that is not a JWT with a numeric exp', () => {
    expect(tokenLifetime('opaque')).toBeUndefined();
    expect(tokenLifetime('a.%%%.c')).toBeUndefined();
    expect(tokenLifetime(jwt({ exp: '1800000000' }))).toBeUndefined();
    expect(tokenLifetime(jwt(null))).toBeUndefined();
  });
});

describe('refreshAt', () => {
  const options = { marginMs: 60_000, fraction: 0.1, nowMs: 0 };

  it('is 60 s before exp for a long token, 10% of its lifetime before for a short one', () => {
    expect(refreshAt({ expiresAtMs: 3_600_000, issuedAtMs: 0 }, options)).toBe(3_540_000);
    expect(refreshAt({ expiresAtMs: 300_000, issuedAtMs: 0 }, options)).toBe(270_000);
  });

  it('measures the lifetime from now when the token has no iat', () => {
    expect(refreshAt({ expiresAtMs: 110_000 }, { ...options, nowMs: 10_000 })).toBe(100_000);
  });
});
