/** The TCP ports the local cloud listens on: their defaults, free ones for tests, and a check that they are free. */

import { createServer } from 'node:net';

/** The ports of one local cloud; 0 is never passed here: the orchestrator picks free ports first. */
export interface ListenPorts {
  http: number;
  websocket: number;
  edge: number;
  /** The web app (the browser client). */
  web: number;
}

/** The default ports, as in the seed guide and API.md; each can be moved with an environment variable. */
export const defaultPorts = (env: NodeJS.ProcessEnv = process.env): ListenPorts => ({
  http: Number(env.LC_HTTP_PORT ?? 8000),
  websocket: Number(env.LC_WS_PORT ?? 3001),
  edge: Number(env.LC_EDGE_PORT ?? 4566),
  web: Number(env.LC_WEB_PORT ?? 3000),
});

export const PORT_NAMES: Record<keyof ListenPorts, { label: string; variable: string }> = {
  http: { label: 'HTTP API', variable: 'LC_HTTP_PORT' },
  websocket: { label: 'WebSocket API', variable: 'LC_WS_PORT' },
  edge: { label: 'AWS edge', variable: 'LC_EDGE_PORT' },
  web: { label: 'web app', variable: 'LC_WEB_PORT' },
};

/** A TCP port free at this moment on `host` (the OS picks it). */
export const freePort = (host = '127.0.0.1') =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** Free ports on the host, for test suites that run a local cloud beside others. */
export const freePorts = async (host: string): Promise<ListenPorts> => ({
  http: await freePort(host),
  websocket: await freePort(host),
  edge: await freePort(host),
  web: await freePort(host),
});

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** Fails fast, naming the port, what it is for and how to move it, when a port is taken. */
export const assertPortsFree = async (ports: Partial<ListenPorts>, host: string): Promise<void> => {
  for (const [key, port] of Object.entries(ports) as [keyof ListenPorts, number][]) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => {
        const { label, variable } = PORT_NAMES[key];
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(
                `Port ${port} is in use (${label}). Set ${variable}=... or stop the other process.`,
              )
            : error,
        );
      });
      server.listen(port, host, () => server.close(() => resolve()));
    });
  }
};
