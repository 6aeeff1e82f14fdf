/**
 * Where the APIs are. At run time the stage's `/config.json` says it (the
 * local cloud serves one; a deployed stage's hosting writes one), so one build
 * serves any stage; without it, the URLs given at build time
 * (NEXT_PUBLIC_API_BASE_URL and NEXT_PUBLIC_WEBSOCKET_URL, the seed's names).
 */
export interface WebConfig {
  apiUrl: string;
  websocketUrl: string;
  /** Sign in through the local cloud's `POST /_local/token` (never deployed). */
  localSignIn: boolean;
}

const isConfig = (value: unknown): value is WebConfig => {
  const config = value as Partial<WebConfig> | null;
  return typeof config?.apiUrl === 'string' && typeof config.websocketUrl === 'string';
};

const isLocal = (url: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/.test(url);

/** The build-time fallback; Next inlines these names where they are written out in full. */
const fromBuild = (): WebConfig | undefined => {
  const apiUrl = process.env.NEXT_PUBLIC_API_BASE_URL;
  const websocketUrl = process.env.NEXT_PUBLIC_WEBSOCKET_URL;
  if (!apiUrl || !websocketUrl) return undefined;
  const localSignIn = process.env.NEXT_PUBLIC_LOCAL_SIGN_IN;
  return { apiUrl, websocketUrl, localSignIn: localSignIn ? localSignIn === 'true' : isLocal(apiUrl) };
};

export const loadConfig = async (): Promise<WebConfig> => {
  let problem = 'no /config.json';
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) {
      const config: unknown = await response.json();
      if (isConfig(config)) return { ...config, localSignIn: config.localSignIn === true };
      problem = '/config.json has no apiUrl and websocketUrl';
    } else problem = `/config.json: HTTP ${response.status}`;
  } catch (error) {
    problem = `/config.json: ${error instanceof Error ? error.message : String(error)}`;
  }
  const built = fromBuild();
  if (built) return built;
  throw new Error(
    `The app does not know where the APIs are (${problem}, and no NEXT_PUBLIC_API_BASE_URL and NEXT_PUBLIC_WEBSOCKET_URL at build time).`,
  );
};
