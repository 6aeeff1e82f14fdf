import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { ensureWebBuild, WEB_DIR } from './build';
import { REVALIDATE, staticHandler } from './static';

/**
 * The web app on the local cloud. `npm start`: the static export of the
 * Next.js app (built once per content, see build.ts) served as a hosting
 * stack would, with /config.json telling it where the APIs are, so no URL is
 * baked into the build. `npm run dev` (watch): `next dev` with hot reload on
 * an inner port, behind the same origin, which answers /config.json itself.
 */

export interface WebAppOptions {
  port: number;
  host: string;
  /** The origin the browser is to open the app at (the one the stacks allow), e.g. `http://localhost:3000`. */
  origin?: string;
  apiUrl: string;
  websocketUrl: string;
  /** `next dev` with hot reload instead of the static export (npm run dev). */
  watch?: boolean;
  /** In watch mode, called after every recompilation, with its error messages (none when it succeeded). */
  onRebuild?: (errors: string[]) => void;
  /** Progress: a build of the static export, or next dev starting. */
  say?: (message: string) => void;
}

export interface WebApp {
  url: string;
  stop(): Promise<void>;
}

/** What the app reads from /config.json (web/src/config.ts). */
interface WebConfig {
  apiUrl: string;
  websocketUrl: string;
  localSignIn: boolean;
}

export const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is in use (web app). Set LC_WEB_PORT=... or stop the other process.`)
          : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const innerPort = (host: string) =>
  new Promise<number>((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });

/** `next dev` on `port`; resolves once it says it is ready. */
const startNextDev = async (host: string, port: number, options: WebAppOptions) => {
  const next = createRequire(join(WEB_DIR, 'package.json')).resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [next, 'dev', '--port', String(port), '--hostname', host], {
    cwd: WEB_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`next dev not ready within 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        if (!ready) output += text;
        if (!ready && /Ready in/.test(output)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
        for (const line of text.split('\n')) {
          if (/Compiled|compiled/.test(line)) options.onRebuild?.([]);
          else if (/Failed to compile|Error:|⨯/.test(line)) options.onRebuild?.([line.trim()]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`next dev exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
};

/** The dev origin: /config.json here, everything else (HMR's WebSocket included) passed to next dev. */
const devProxy = (config: WebConfig, host: string, port: number) => {
  const configJson = JSON.stringify(config);
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://web').pathname === '/config.json') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': REVALIDATE });
      res.end(configJson);
      return;
    }
    const upstream = request(
      { host, port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`next dev: ${error.message}`);
    });
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = connect(port, host, () => {
      const headers = Object.entries(req.headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value ?? '']).map((one) => `${name}: ${one}`),
      );
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.once('error', () => socket.destroy());
    socket.once('error', () => upstream.destroy());
  });
  return server;
};

export const startWebApp = async (options: WebAppOptions): Promise<WebApp> => {
  const config: WebConfig = { apiUrl: options.apiUrl, websocketUrl: options.websocketUrl, localSignIn: true };
  let server: Server;
  let dev: { host: string; port: number } | undefined;
  if (options.watch) {
    dev = { host: options.host, port: await innerPort(options.host) };
    server = devProxy(config, dev.host, dev.port);
  } else {
    const build = await ensureWebBuild(options.say ? { say: options.say } : {});
    if (build.built) options.say?.(`built the web app in ${(build.ms / 1000).toFixed(1)} s`);
    const handle = staticHandler(build.dir, config);
    server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  }
  const port = await listen(server, options.port, options.host);
  let child: ChildProcess | undefined;
  if (dev) {
    try {
      child = await startNextDev(dev.host, dev.port, options);
    } catch (error) {
      await closeServer(server);
      throw error;
    }
  }
  return {
    url: options.origin ?? `http://localhost:${port}`,
    stop: async () => {
      await closeServer(server);
      if (child) await stopChild(child);
    },
  };
};
