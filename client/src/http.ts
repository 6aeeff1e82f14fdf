import type { Comment, CommentDeleted, Page, Post } from './types';

/** What a `validation_failed` error says of each field, when the API says it. */
export interface ErrorDetail {
  path?: string;
  message: string;
}

/**
 * A non-2xx answer, with the contract's `{"error": {"code", "message"}}` (or
 * API Gateway's own 401 and 429 bodies). `retryAfterSeconds` is the answer's
 * `Retry-After` when it has one (429 `rate_limited`, 503 `unavailable`): wait
 * that long before trying again.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** `Retry-After` in seconds (the API sends whole seconds; an HTTP date is read too), or undefined. */
const retryAfterOf = (response: Response): number | undefined => {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
};

const detailsOf = (details: unknown): ErrorDetail[] =>
  Array.isArray(details)
    ? details.flatMap((detail: { path?: unknown; message?: unknown }) =>
        typeof detail?.message === 'string'
          ? [{ message: detail.message, ...(typeof detail.path === 'string' ? { path: detail.path } : {}) }]
          : [],
      )
    : [];

export interface ApiClientOptions {
  /** The HTTP API's base URL, e.g. `http://localhost:8000`. */
  apiUrl: string;
  /**
   * The bearer token for writes, read on every request (so a refreshed token
   * is used at once); a Promise is awaited (a refresh may run first).
   */
  token?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

const errorOf = async (response: Response): Promise<ApiError> => {
  const text = await response.text();
  const retryAfter = retryAfterOf(response);
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: unknown };
      message?: string;
    };
    if (body.error?.code) {
      const { code, message, details } = body.error;
      return new ApiError(response.status, code, message ?? '', detailsOf(details), retryAfter);
    }
    // API Gateway's JWT authorizer answers {"message":"Unauthorized"} and nothing else.
    if (response.status === 401) return new ApiError(401, 'unauthorized', body.message ?? 'Unauthorized');
    // API Gateway's stage and account throttling answers {"message":"Too Many Requests"}, without Retry-After.
    if (response.status === 429) {
      return new ApiError(429, 'throttled', body.message ?? 'Too Many Requests', [], retryAfter);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    text.slice(0, 200) || response.statusText,
    [],
    retryAfter,
  );
};

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** The public HTTP API of API.md, typed. Every method throws ApiError on a non-2xx answer. */
export const createApiClient = (options: ApiClientOptions) => {
  const base = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const token = await options.token?.();
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await doFetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };
  const post = (postId: string) => `/api/v1/posts/${encodeURIComponent(postId)}`;

  return {
    listPosts: (list: ListOptions = {}) => request<Page<Post>>('GET', `/api/v1/posts${query({ ...list })}`),
    getPost: (postId: string) => request<Post>('GET', post(postId)),
    createPost: (input: { title: string; body: string }) => request<Post>('POST', '/api/v1/posts', input),
    updatePost: (postId: string, input: { title?: string; body?: string }) =>
      request<Post>('PATCH', post(postId), input),
    deletePost: (postId: string) => request<void>('DELETE', post(postId)),
    favorite: (postId: string) => request<void>('PUT', `${post(postId)}/favorite`),
    unfavorite: (postId: string) => request<void>('DELETE', `${post(postId)}/favorite`),
    myFavorites: (list: ListOptions = {}) =>
      request<Page<Post>>('GET', `/api/v1/me/favorites${query({ ...list })}`),
    /** One page of a post's comments, oldest first; `afterSeq` returns only later ones. */
    listComments: (postId: string, list: ListOptions & { afterSeq?: number } = {}) =>
      request<Page<Comment>>('GET', `${post(postId)}/comments${query({ ...list })}`),
    /**
     * One page of a post's deletions after `since` (an ISO time), oldest first
     * (default 50, at most 100 a page). Deletions are kept a week.
     */
    listDeletedComments: (postId: string, list: ListOptions & { since: string }) =>
      request<Page<CommentDeleted>>('GET', `${post(postId)}/comments/deleted${query({ ...list })}`),
    createComment: (postId: string, body: string) =>
      request<Comment>('POST', `${post(postId)}/comments`, { body }),
    deleteComment: (postId: string, commentId: string) =>
      request<void>('DELETE', `${post(postId)}/comments/${encodeURIComponent(commentId)}`),
    openConnections: () => request<{ connections: number }>('GET', '/api/v1/websocket/connections'),
    /** Local cloud only (never deployed): a token for `sub`, accepted by the local JWT authorizer. */
    localToken: (sub: string) => request<{ token: string }>('POST', '/_local/token', { sub }),
  };
};

export type ApiClient = ReturnType<typeof createApiClient>;
