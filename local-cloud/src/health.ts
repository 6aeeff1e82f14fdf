/**
 * `GET /health` on the local cloud's HTTP and WebSocket ports (the seed
 * guide's probes, local only): every service's own health route asked through
 * the gateway, the AWS edge's services, the open WebSocket connections and
 * where everything listens. 200 when every service answers healthy, else 503
 * with the one that did not.
 */
import type { Topology } from './topology/model';

export interface LocalHealth {
  status: 'healthy' | 'unhealthy';
  cloud: 'local';
  stage: string;
  timestamp: string;
  uptimeSeconds: number;
  endpoints: Record<string, string>;
  /** Each service's `GET /api/v1/health/<service>` answer (API.md's Health), or why it gave none. */
  services: Record<string, { httpStatus?: number; status?: string; error?: string; [key: string]: unknown }>;
  /** The edge's `/_localstack/health` services, or an external edge's answers to a call per service. */
  edge: Record<string, unknown> | { error: string };
  websocket: { connections: number };
}

export interface LocalHealthOptions {
  topology: Topology;
  urls: { web: string; http: string; websocket: string; connections: string; edge: string };
  startedAt: number;
  openConnections: () => number;
  /** An external edge (LC_EDGE_URL): asked instead of the embedded edge's health route; unreachable makes /health 503. */
  edgeHealth?: () => Promise<{ reachable: boolean }>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const HEALTH_PATH = '/api/v1/health/';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const createLocalHealth = (options: LocalHealthOptions) => {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const routes = options.topology.httpRoutes.filter(
    (route) => route.method === 'GET' && route.path.startsWith(HEALTH_PATH) && !route.path.includes('{'),
  );
  const getJson = async (url: string) => {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { body: text.slice(0, 200) };
    }
    return { status: response.status, body: typeof body === 'object' && body !== null ? body : {} };
  };

  return async (): Promise<{ status: number; body: LocalHealth }> => {
    const [services, edge] = await Promise.all([
      Promise.all(
        routes.map(async (route): Promise<[string, LocalHealth['services'][string]]> => {
          const service = route.path.slice(HEALTH_PATH.length);
          try {
            const { status, body } = await getJson(`${options.urls.http}${route.path}`);
            return [service, { httpStatus: status, ...body }];
          } catch (error) {
            return [service, { status: 'unreachable', error: errorText(error) }];
          }
        }),
      ),
      options.edgeHealth
        ? options.edgeHealth().then(
            (answer): Record<string, unknown> => ({ ...answer }),
            (error: unknown) => ({ reachable: false, error: errorText(error) }),
          )
        : getJson(`${options.urls.edge}/_localstack/health`).then(
            ({ body }) => body as Record<string, unknown>,
            (error: unknown) => ({ error: errorText(error) }),
          ),
    ]);
    const healthy =
      services.every(([, answer]) => answer.httpStatus === 200 && answer.status === 'healthy') &&
      (!options.edgeHealth || ('reachable' in edge && edge.reachable === true));
    const { urls } = options;
    return {
      status: healthy ? 200 : 503,
      body: {
        status: healthy ? 'healthy' : 'unhealthy',
        cloud: 'local',
        stage: options.topology.stage,
        timestamp: new Date().toISOString(),
        uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
        endpoints: {
          web: urls.web,
          http: urls.http,
          websocket: urls.websocket,
          connections: `${urls.connections}/@connections/{id}`,
          edge: urls.edge,
        },
        services: Object.fromEntries(services),
        edge,
        websocket: { connections: options.openConnections() },
      },
    };
  };
};
