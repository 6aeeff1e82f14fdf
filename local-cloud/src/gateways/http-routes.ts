import type { HttpRouteDef } from '../topology/model';

/**
 * Route selection of an API Gateway HTTP API: the most specific path wins
 * (literal segment > `{param}` > `{proxy+}`, compared left to right), then a
 * route for the method beats `ANY`; the `$default` route (`*`) catches the rest.
 */

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

interface CompiledRoute {
  route: HttpRouteDef;
  method: string;
  segments: Segment[];
  /** Higher is more specific; compared position by position. */
  rank: number[];
}

export interface RouteMatch {
  route: HttpRouteDef;
  pathParameters?: Record<string, string>;
}

export interface HttpRouter {
  match(method: string, path: string): RouteMatch | undefined;
  /** Whether any route (any method, not `$default`) serves this path: used to pick the API for CORS preflights. */
  matchPath(path: string): RouteMatch | undefined;
}

const isDefaultRoute = (route: HttpRouteDef) =>
  route.path === '*' || route.routeKey === '$default' || route.path === '$default';

const parseSegments = (path: string): Segment[] =>
  path
    .split('/')
    .filter((part) => part !== '')
    .map((part): Segment => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (!param?.[1]) return { kind: 'literal', value: part };
      const name = param[1];
      return name.endsWith('+') ? { kind: 'greedy', name: name.slice(0, -1) } : { kind: 'param', name };
    });

const SEGMENT_RANK = { literal: 3, param: 2, greedy: 1 } as const;

const compareRank = (a: number[], b: number[]): number => {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
};

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const splitPath = (path: string): string[] => {
  const parts = path.split('/');
  // `/a/b` -> ['', 'a', 'b']: drop the leading empty part only, so `/a//b` and `/a/` keep their shape.
  if (parts[0] === '') parts.shift();
  if (parts.length === 1 && parts[0] === '') return [];
  return parts;
};

const matchSegments = (segments: Segment[], parts: string[]): Record<string, string> | undefined => {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[segment.name] = decode(parts.slice(i).join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal') {
      if (segment.value !== part) return undefined;
    } else {
      params[segment.name] = decode(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
};

export const createHttpRouter = (routes: HttpRouteDef[]): HttpRouter => {
  // Routes without variables are looked up directly: most requests never reach the ranked scan.
  const literal = new Map<string, HttpRouteDef>();
  const variable: CompiledRoute[] = [];
  let fallback: HttpRouteDef | undefined;

  for (const route of routes) {
    if (isDefaultRoute(route)) {
      fallback ??= route;
      continue;
    }
    const method = route.method.toUpperCase() === '*' ? 'ANY' : route.method.toUpperCase();
    const segments = parseSegments(route.path);
    if (segments.every((segment) => segment.kind === 'literal')) {
      const key = `${method} /${segments.map((s) => (s.kind === 'literal' ? s.value : '')).join('/')}`;
      if (!literal.has(key)) literal.set(key, route);
      continue;
    }
    const rank = segments.map((segment) => SEGMENT_RANK[segment.kind]);
    variable.push({ route, method, segments, rank });
  }
  // Most specific first, a method before ANY: the first match of the scan is the winner.
  variable.sort(
    (a, b) => compareRank(b.rank, a.rank) || Number(a.method === 'ANY') - Number(b.method === 'ANY'),
  );

  const scan = (method: string | undefined, parts: string[]): RouteMatch | undefined => {
    for (const compiled of variable) {
      if (method !== undefined && compiled.method !== method && compiled.method !== 'ANY') continue;
      const params = matchSegments(compiled.segments, parts);
      if (params) return { route: compiled.route, pathParameters: params };
    }
    return undefined;
  };

  const normalized = (path: string) => {
    const parts = splitPath(path);
    return { parts, key: `/${parts.join('/')}` };
  };

  return {
    match(method, path) {
      const { parts, key } = normalized(path);
      const upper = method.toUpperCase();
      const exact = literal.get(`${upper} ${key}`) ?? literal.get(`ANY ${key}`);
      if (exact) return { route: exact };
      return scan(upper, parts) ?? (fallback ? { route: fallback } : undefined);
    },
    matchPath(path) {
      const { parts, key } = normalized(path);
      for (const [routeKey, route] of literal) {
        if (routeKey.slice(routeKey.indexOf(' ') + 1) === key) return { route };
      }
      return scan(undefined, parts);
    },
  };
};
