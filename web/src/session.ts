import type { ApiClient } from '@live-comments/client';
import { useCallback, useSyncExternalStore } from 'react';

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

/** The bearer token, or undefined when signed out: what the API and WebSocket clients read. */
export const readToken = (): string | undefined => {
  if (typeof localStorage === 'undefined') return undefined;
  const stored = localStorage.getItem(TOKEN_KEY);
  return usable(stored) ? stored : undefined;
};

const listeners = new Set<() => void>();
const changed = () => {
  for (const listener of listeners) listener();
};
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  // Another tab signed in or out.
  const onStorage = (event: StorageEvent) => {
    if (event.key === TOKEN_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
};

export interface Session {
  /** The signed-in user's name (the token's `sub`), or undefined. */
  user: string | undefined;
  /** The token itself, to notice a new sign-in under the same name. */
  token: string | undefined;
  signIn(name: string): Promise<void>;
  signOut(): void;
}

export const useSession = (api: Pick<ApiClient, 'localToken'>): Session => {
  const token = useSyncExternalStore(subscribe, readToken, () => undefined);
  const signIn = useCallback(
    async (name: string) => {
      const { token: issued } = await api.localToken(name);
      localStorage.setItem(TOKEN_KEY, issued);
      changed();
    },
    [api],
  );
  const signOut = useCallback(() => {
    localStorage.removeItem(TOKEN_KEY);
    changed();
  }, []);
  return { user: token ? claimsOf(token)?.sub : undefined, token, signIn, signOut };
};
