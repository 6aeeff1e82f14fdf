import type { ApiClient } from '@live-comments/client';

/**
 * Who is signed in: the token in localStorage, so a reload or another tab
 * keeps the session. The user name is the token's `sub`, read from the token
 * itself (no second copy to drift), and an expired token counts as signed out.
 */

const TOKEN_KEY = 'live-comments.token';

interface Claims {
  sub?: string;
  exp?: number;
}

const claimsOf = (token: string): Claims | undefined => {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as Claims;
  } catch {
    return undefined;
  }
};

const usable = (token: string | null): token is string => {
  if (!token) return false;
  const claims = claimsOf(token);
  return Boolean(claims?.sub) && (claims?.exp === undefined || claims.exp * 1000 > Date.now());
};

export interface Session {
  /** The bearer token, or undefined when signed out (read by the API and WebSocket clients). */
  token(): string | undefined;
  /** The signed-in user's name (the token's `sub`). */
  user(): string | undefined;
  signIn(name: string): Promise<void>;
  signOut(): void;
  onChange(listener: () => void): void;
}

export const createSession = (api: Pick<ApiClient, 'localToken'>): Session => {
  const listeners: (() => void)[] = [];
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const token = () => {
    const stored = localStorage.getItem(TOKEN_KEY);
    return usable(stored) ? stored : undefined;
  };
  // Another tab signed in or out.
  window.addEventListener('storage', (event) => {
    if (event.key === TOKEN_KEY) changed();
  });
  return {
    token,
    user: () => {
      const current = token();
      return current ? claimsOf(current)?.sub : undefined;
    },
    signIn: async (name) => {
      const { token: issued } = await api.localToken(name);
      localStorage.setItem(TOKEN_KEY, issued);
      changed();
    },
    signOut: () => {
      localStorage.removeItem(TOKEN_KEY);
      changed();
    },
    onChange: (listener) => {
      listeners.push(listener);
    },
  };
};
