/**
 * When a JWT expires, read from its payload without verifying it (the server
 * verifies; the client only needs to know when to fetch a fresh one).
 */
export interface TokenLifetime {
  /** `exp`, epoch ms. */
  expiresAtMs: number;
  /** `iat`, epoch ms, when the token says. */
  issuedAtMs?: number;
}

const decodeBase64Url = (text: string): string => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
};

/** The token's `exp` (and `iat`), or undefined when it is not a JWT with a numeric `exp`. */
export const tokenLifetime = (token: string): TokenLifetime | undefined => {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(decodeBase64Url(payload)) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return undefined;
    return {
      expiresAtMs: claims.exp * 1000,
      ...(typeof claims.iat === 'number' && Number.isFinite(claims.iat)
        ? { issuedAtMs: claims.iat * 1000 }
        : {}),
    };
  } catch {
    return undefined;
  }
};

/**
 * When to open the next connection for a token: `marginMs` before it
 * expires, or `fraction` of its lifetime before if that is less (a
 * five-minute token is not refreshed every minute and a half).
 */
export const refreshAt = (
  lifetime: TokenLifetime,
  { marginMs, fraction, nowMs }: { marginMs: number; fraction: number; nowMs: number },
): number => {
  const span = lifetime.expiresAtMs - (lifetime.issuedAtMs ?? nowMs);
  return lifetime.expiresAtMs - Math.max(0, Math.min(marginMs, span * fraction));
};
