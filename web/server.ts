import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import * as esbuild from 'esbuild';
import type { WebConfig } from './src/config';

/**
 * Serves the web app: the bundle built in memory by esbuild when the server
 * starts (and rebuilt on change with `watch`), index.html, and /config.json,
 * which tells the bundle where the APIs are, so no URL is baked into it.
 */

export interface WebAppOptions {
  port: number;
  host: string;
  /** The origin the browser is to open the app at (the one the stacks allow), e.g. `http://localhost:3000`. */
  origin?: string;
  apiUrl: string;
  websocketUrl: string;
  /** Rebuild the bundle when a source file changes (npm run dev). */
  watch?: boolean;
  /** Called after every rebuild in watch mode, with the build's error messages (none when it succeeded). */
  onRebuild?: (errors: string[]) => void;
}

export interface WebApp {
  url: string;
  stop(): Promise<void>;
}

const WEB_DIR = import.meta.dirname;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};
const contentType = (name: string) => CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'text/plain';

const messages = (errors: esbuild.Message[]) =>
  errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));

const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array) => {
  // A development server: the browser always asks again, so a rebuild shows on reload.
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

export const startWebApp = async (options: WebAppOptions): Promise<WebApp> => {
  /** The last good bundle, by file name (app.js, app.css and their source maps). */
  let assets = new Map<string, Uint8Array>();
  let firstBuild = true;
  const keep = (result: esbuild.BuildResult) => {
    if (result.errors.length > 0 || !result.outputFiles) return;
    assets = new Map(result.outputFiles.map((file) => [basename(file.path), file.contents]));
  };

  const context = await esbuild.context({
    entryPoints: { app: join(WEB_DIR, 'src', 'main.ts') },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    sourcemap: 'linked',
    // Never written: the files stay in memory (outputFiles).
    write: false,
    outdir: join(WEB_DIR, 'dist'),
    logLevel: 'silent',
    plugins: [
      {
        name: 'keep-in-memory',
        setup(build) {
          build.onEnd((result) => {
            keep(result);
            if (!firstBuild) options.onRebuild?.(messages(result.errors));
          });
        },
      },
    ],
  });
  try {
    const result = await context.rebuild();
    keep(result);
  } catch (error) {
    await context.dispose();
    const errors = (error as { errors?: esbuild.Message[] }).errors;
    throw new Error(`web app build failed: ${errors ? messages(errors).join('\n') : String(error)}`);
  }
  firstBuild = false;
  if (options.watch) await context.watch();

  const config: WebConfig = { apiUrl: options.apiUrl, websocketUrl: options.websocketUrl, localSignIn: true };
  const indexHtml = join(WEB_DIR, 'index.html');
  let cachedIndex: string | undefined;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://web').pathname;
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'Method Not Allowed');
      return;
    }
    if (path === '/config.json') {
      send(res, 200, contentType(path), JSON.stringify(config));
      return;
    }
    const asset = assets.get(path.slice(1));
    if (asset) {
      send(res, 200, contentType(path), asset);
      return;
    }
    if (path !== '/' && path !== '/index.html') {
      send(res, 404, 'text/plain', 'Not Found');
      return;
    }
    // Read once, or on every request while watching (the page is not part of esbuild's graph).
    const html = !options.watch && cachedIndex ? Promise.resolve(cachedIndex) : readFile(indexHtml, 'utf8');
    html.then(
      (text) => {
        cachedIndex = text;
        send(res, 200, contentType('.html'), text);
      },
      (error: unknown) => send(res, 500, 'text/plain', String(error)),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void context.dispose();
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.port} is in use (web app). Set LC_WEB_PORT=... or stop the other process.`,
            )
          : error,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: options.origin ?? `http://localhost:${port}`,
    stop: async () => {
      await context.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
