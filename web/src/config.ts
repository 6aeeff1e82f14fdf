/** What the server's /config.json tells the app (web/server.ts): no URL is baked into the bundle. */
export interface WebConfig {
  apiUrl: string;
  websocketUrl: string;
  /** Sign in through the local cloud's `POST /_local/token` (never deployed). */
  localSignIn: boolean;
}

export const loadConfig = async (): Promise<WebConfig> => {
  const response = await fetch('/config.json');
  if (!response.ok) throw new Error(`/config.json: ${response.status}`);
  return (await response.json()) as WebConfig;
};
