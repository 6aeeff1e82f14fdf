import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { RedriveError } from '../../../scripts/dead-letters/dead-letters';
import { queryPairs, sendJson } from '../gateways/http-io';
import type { ConsoleFilter, OperatorConsole } from './console';

/**
 * The console's routes under the HTTP gateway's local ones (never deployed):
 *
 *   GET  /_local/console              the page
 *   GET  /_local/console/app.js|.css  its script and styles, bundled by esbuild once (no CDN, no network)
 *   GET  /_local/console/stream       Server-Sent Events: a snapshot, then deltas about every second
 *                                     (`?correlationId=` and `?function=` (repeatable) add that log view and path)
 *   GET  /_local/console/state        the same state once, as JSON (scripts, curl)
 *   POST /_local/console/redrive      {"queue": "<dlq name>"}: npm run dlq's redrive
 */

const PAGE_DIR = join(import.meta.dirname, 'page');

export interface PageBundle {
  js: string;
  css: string;
}

let bundled: Promise<PageBundle> | undefined;

/** The page's script and styles (uPlot's included), built once per process and kept. */
export const bundlePage = (): Promise<PageBundle> => {
  bundled ??= esbuild
    .build({
      entryPoints: [join(PAGE_DIR, 'main.ts')],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      target: 'es2022',
      outdir: 'out',
      logLevel: 'silent',
    })
    .then((result) => ({
      js: result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '',
      css: result.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '',
    }));
  // A failed build is tried again on the next request.
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
};

export interface ConsoleRoutes {
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): boolean;
}

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
};

const readBody = (req: IncomingMessage, limit = 16_384): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) reject(new Error('too long'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

const filterOf = (query: string): ConsoleFilter => {
  const filter: ConsoleFilter = {};
  for (const [name, value] of queryPairs(query)) {
    if (!value) continue;
    if (name === 'correlationId') filter.correlationId = value;
    if (name === 'function') filter.functions = [...(filter.functions ?? []), value];
  }
  return filter;
};

const validation = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { error: { code: 'validation_failed', message } });

const stream = (
  req: IncomingMessage,
  res: ServerResponse,
  operatorConsole: OperatorConsole,
  query: string,
) => {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies must not hold the events back.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  const stop = operatorConsole.watch(filterOf(query), (message) => {
    const data = message.type === 'snapshot' ? message.state : message.delta;
    res.write(`event: ${message.type}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  req.socket.setTimeout(0);
  // The response's close, not the request's: that one comes as soon as the (empty) body is read.
  res.on('close', stop);
};

const redrive = async (req: IncomingMessage, res: ServerResponse, operatorConsole: OperatorConsole) => {
  // Only the console's own page (or a script, which sends no Origin): the local routes answer CORS
  // preflights from any origin, for the token issuer, and a redrive must not be any page's to trigger.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    req.resume();
    sendJson(res, 403, { error: { code: 'forbidden', message: 'Redrive from the console page only.' } });
    return;
  }
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    req.resume();
    validation(res, 415, 'Send {"queue": "<dead-letter queue name>"} as application/json.');
    return;
  }
  let queue: unknown;
  try {
    queue = (JSON.parse(await readBody(req)) as { queue?: unknown }).queue;
  } catch {
    validation(res, 400, 'The body must be JSON: {"queue": "<dead-letter queue name>"}.');
    return;
  }
  if (typeof queue !== 'string' || queue === '') {
    validation(res, 400, '"queue" must name a dead-letter queue.');
    return;
  }
  try {
    sendJson(res, 200, await operatorConsole.redrive(queue));
  } catch (error) {
    if (error instanceof RedriveError) validation(res, 400, error.message);
    else sendJson(res, 500, { error: { code: 'internal_error', message: String(error) } });
  }
};

export const createConsoleRoutes = (operatorConsole: OperatorConsole): ConsoleRoutes => {
  // Built while the rest starts, so the first page view does not wait for it.
  bundlePage().catch(() => {});
  return {
    handle(req, res, path, query) {
      if (!path.startsWith('/_local/console')) return false;
      const route = `${req.method} ${path.replace(/\/$/, '')}`;
      switch (route) {
        case 'GET /_local/console':
          req.resume();
          readFile(join(PAGE_DIR, 'index.html'), 'utf8').then(
            (html) => send(res, 200, 'text/html; charset=utf-8', html),
            (error: unknown) => send(res, 500, 'text/plain', String(error)),
          );
          return true;
        case 'GET /_local/console/app.js':
        case 'GET /_local/console/app.css':
          req.resume();
          bundlePage().then(
            (page) =>
              path.endsWith('.js')
                ? send(res, 200, 'text/javascript; charset=utf-8', page.js)
                : send(res, 200, 'text/css; charset=utf-8', page.css),
            (error: unknown) =>
              send(res, 500, 'text/plain', `The console's page did not build: ${String(error)}`),
          );
          return true;
        case 'GET /_local/console/stream':
          req.resume();
          stream(req, res, operatorConsole, query);
          return true;
        case 'GET /_local/console/state':
          req.resume();
          operatorConsole.state(filterOf(query)).then(
            (state) => sendJson(res, 200, state),
            (error: unknown) =>
              sendJson(res, 500, { error: { code: 'internal_error', message: String(error) } }),
          );
          return true;
        case 'POST /_local/console/redrive':
          void redrive(req, res, operatorConsole);
          return true;
        default:
          return false;
      }
    },
  };
};
