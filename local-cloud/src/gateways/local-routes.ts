import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleRoutes } from '../console/routes';
import type { CloudInfo } from '../info';
import type { JournalQuery, LogJournal } from '../logs/journal';
import { queryPairs, sendJson } from './http-io';

/**
 * The local cloud's own routes beside the API (never deployed; API.md's
 * "local only"): `GET /health` (the seed's probe), `GET /_local/info` (what
 * `npm run info` prints) and `GET /_local/logs` (what `npm run logs` reads:
 * `?function=posts.createPost` or `?function=posts` (repeatable),
 * `&correlationId=`, `&since=<ms or ISO>`, `&after=<seq>`, `&limit=`), and
 * the operator's console under `/_local/console` (console/routes.ts).
 */

export interface LocalRoutes {
  /** Serves the request when its path is one of these routes; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): boolean;
}

export interface LocalRoutesOptions {
  journal?: LogJournal;
  info?: () => CloudInfo;
  health?: () => Promise<{ status: number; body: unknown }>;
  /** The operator's console: its page, stream and redrive. */
  console?: ConsoleRoutes;
}

const badRequest = (res: ServerResponse, message: string) =>
  sendJson(res, 400, { error: { code: 'validation_failed', message } });

const params = (query: string) => {
  const found = new Map<string, string[]>();
  for (const [name, value] of queryPairs(query)) {
    found.set(name, [...(found.get(name) ?? []), value]);
  }
  return found;
};

const whole = (raw: string | undefined): number | undefined | 'bad' => {
  if (raw === undefined || raw === '') return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : 'bad';
};

/** Parses the logs route's query; a string is what was wrong with it. */
export const parseLogsQuery = (query: string): JournalQuery | string => {
  const found = params(query);
  const one = (name: string) => found.get(name)?.at(-1);
  const parsed: JournalQuery = {};
  const functions = (found.get('function') ?? []).filter(Boolean);
  if (functions.length > 0) parsed.functions = functions;
  const correlationId = one('correlationId');
  if (correlationId) parsed.correlationId = correlationId;
  const since = one('since');
  if (since) {
    const time = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (Number.isNaN(time)) return '"since" must be a time in ms since the epoch or an ISO-8601 instant.';
    parsed.since = time;
  }
  for (const name of ['after', 'limit'] as const) {
    const value = whole(one(name));
    if (value === 'bad') return `"${name}" must be a whole number.`;
    if (value !== undefined) parsed[name] = value;
  }
  return parsed;
};

export const createLocalRoutes = (options: LocalRoutesOptions): LocalRoutes => ({
  handle(req, res, path, query) {
    if (options.console?.handle(req, res, path, query)) return true;
    if (req.method !== 'GET') return false;
    if (path === '/health' && options.health) {
      req.resume();
      options.health().then(
        ({ status, body }) => sendJson(res, status, body),
        (error: unknown) => sendJson(res, 500, { status: 'unhealthy', error: String(error) }),
      );
      return true;
    }
    if (path === '/_local/info' && options.info) {
      req.resume();
      sendJson(res, 200, options.info());
      return true;
    }
    if (path === '/_local/logs' && options.journal) {
      req.resume();
      const parsed = parseLogsQuery(query);
      if (typeof parsed === 'string') badRequest(res, parsed);
      else sendJson(res, 200, options.journal.query(parsed));
      return true;
    }
    return false;
  },
});
