import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/**
 * Serves a static export as S3 + CloudFront would (README, "Deploy the web
 * app"): a folder's index.html for `/post/`, `/post` redirected there, the
 * export's 404.html for what is not there, and the cache headers of a
 * hosting stack: `/_next/static/` (content-hashed names) for a year,
 * immutable; the HTML, the RSC payloads and /config.json revalidated on every
 * load, so a new build shows at once.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  // The RSC payloads of a static export: Next's client accepts them as text/plain.
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
export const contentType = (path: string) => CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
export const cacheControl = (path: string) => (path.startsWith('/_next/static/') ? IMMUTABLE : REVALIDATE);

const send = (
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Uint8Array = '',
) => {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(req.method === 'HEAD' ? undefined : body);
};

/** A request handler over `dir` (a static export), with `/config.json` answered from `config`. */
export const staticHandler = (dir: string, config: unknown) => {
  const configJson = JSON.stringify(config);
  const files = new Map<string, Promise<Uint8Array | undefined>>();
  /** A file of the export, read once (a build never changes under its hash). */
  const file = (relativePath: string) => {
    let read = files.get(relativePath);
    if (!read) {
      const path = join(dir, relativePath);
      read = stat(path).then(
        (info) => (info.isFile() ? readFile(path) : undefined),
        () => undefined,
      );
      files.set(relativePath, read);
    }
    return read;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }, 'Method Not Allowed');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://web');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      send(req, res, 400, { 'content-type': 'text/plain' }, 'Bad Request');
      return;
    }
    if (path === '/config.json') {
      send(req, res, 200, { 'content-type': contentType(path), 'cache-control': REVALIDATE }, configJson);
      return;
    }
    const relativePath = normalize(path).replace(/^[/\\]+/, '');
    if (relativePath.split(sep).includes('..')) {
      send(req, res, 400, { 'content-type': 'text/plain' }, 'Bad Request');
      return;
    }
    const wanted = path.endsWith('/') ? join(relativePath, 'index.html') : relativePath;
    const body = await file(wanted);
    if (body) {
      send(req, res, 200, { 'content-type': contentType(wanted), 'cache-control': cacheControl(path) }, body);
      return;
    }
    // `/post` is the folder `/post/` (trailingSlash): where its links and CloudFront's function send it.
    if (!path.endsWith('/') && (await file(join(relativePath, 'index.html')))) {
      send(req, res, 308, { location: `${path}/${url.search}`, 'cache-control': REVALIDATE });
      return;
    }
    const notFound = await file('404.html');
    send(
      req,
      res,
      404,
      { 'content-type': notFound ? contentType('.html') : 'text/plain', 'cache-control': REVALIDATE },
      notFound ?? 'Not Found',
    );
  };
};
