import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

/** Reads a request body up to `limit` bytes; past that it stops buffering and reports tooLarge. */
export const readBody = (req: IncomingMessage, limit: number) =>
  new Promise<BodyRead>((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) resolve({ ok: false, tooLarge: true });
      else
        resolve({
          ok: true,
          body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
        });
    });
    req.on('error', reject);
  });

export const sendJson = (
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
) => {
  const payload = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
};

/** Splits `/a/b?x=1` into path and raw query string without building a URL object. */
export const splitUrl = (url: string | undefined): { path: string; query: string } => {
  const raw = url ?? '/';
  const mark = raw.indexOf('?');
  return mark === -1 ? { path: raw, query: '' } : { path: raw.slice(0, mark), query: raw.slice(mark + 1) };
};

/** Decodes one query-string name or value (`+` is a space); malformed escapes stay as they are. */
const decodeQueryPart = (value: string): string => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
};

/** The decoded `name=value` pairs of a raw query string, in order (a bare `name` has the value ''). */
export const queryPairs = (raw: string): [name: string, value: string][] =>
  raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return [
        decodeQueryPart(eq === -1 ? pair : pair.slice(0, eq)),
        eq === -1 ? '' : decodeQueryPart(pair.slice(eq + 1)),
      ];
    });

/** The caller's address as API Gateway reports it: plain IPv4 rather than the IPv4-mapped IPv6 form. */
export const clientIp = (remoteAddress: string | undefined): string => {
  if (!remoteAddress) return '127.0.0.1';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
};
