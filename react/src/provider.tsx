import {
  type ApiClient,
  createApiClient,
  createLiveComments,
  type LiveComments,
  type LiveCommentsOptions,
} from '@live-comments/client';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';

/** What `createLiveComments` takes besides the URLs and the token (tests pass a fake socket and fetch here). */
export type ClientOptions = Omit<LiveCommentsOptions, 'apiUrl' | 'websocketUrl' | 'token'>;

export interface LiveCommentsProviderProps {
  /** The HTTP API's base URL, e.g. `http://localhost:8000`. */
  apiUrl: string;
  /** The WebSocket API's URL, e.g. `ws://localhost:3001`. */
  websocketUrl: string;
  /**
   * The bearer token, read on every request, (re)connect and before the token
   * in use expires; a Promise is awaited (a refresh may run first). None means
   * an anonymous reader.
   */
  token?: () => string | undefined | Promise<string | undefined>;
  /** Read when the client is made (when the URLs change); later changes are not seen. */
  options?: ClientOptions;
  children?: ReactNode;
}

export interface LiveCommentsContextValue {
  /** The HTTP API, typed (ApiError on a non-2xx answer). */
  api: ApiClient;
  /**
   * The WebSocket stream: undefined during the first render, made by the
   * provider's effect (so React's strict mode, which runs effects twice, makes
   * and closes one that never connects, and no render opens a socket).
   */
  live: LiveComments | undefined;
}

const LiveCommentsContext = createContext<LiveCommentsContextValue | undefined>(undefined);

/**
 * One HTTP client and one WebSocket connection for the components below it;
 * every hook of this package reads them from here. The connection closes when
 * the provider unmounts or its URLs change.
 */
export function LiveCommentsProvider({
  apiUrl,
  websocketUrl,
  token,
  options,
  children,
}: LiveCommentsProviderProps) {
  // The latest token getter, without a new client when the caller passes a new function.
  const tokenRef = useRef(token);
  useEffect(() => {
    tokenRef.current = token;
  }, [token]);
  const optionsRef = useRef(options);
  const readToken = () => tokenRef.current?.();

  // biome-ignore lint/correctness/useExhaustiveDependencies: the client is made again for new URLs only (token and options are read through refs).
  const api = useMemo(
    () =>
      createApiClient({
        apiUrl,
        token: readToken,
        ...(optionsRef.current?.fetch ? { fetch: optionsRef.current.fetch } : {}),
      }),
    [apiUrl],
  );

  const [live, setLive] = useState<LiveComments>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above.
  useEffect(() => {
    const client = createLiveComments({ ...optionsRef.current, apiUrl, websocketUrl, token: readToken });
    setLive(client);
    return () => {
      client.close();
      setLive((current) => (current === client ? undefined : current));
    };
  }, [apiUrl, websocketUrl]);

  const value = useMemo(() => ({ api, live }), [api, live]);
  return <LiveCommentsContext.Provider value={value}>{children}</LiveCommentsContext.Provider>;
}

/** The provider's clients: `api` for reads and writes, `live` (once made) for `reconnect()` and the like. */
export const useLiveComments = (): LiveCommentsContextValue => {
  const value = useContext(LiveCommentsContext);
  if (!value) throw new Error('useLiveComments: no <LiveCommentsProvider> above this component');
  return value;
};
