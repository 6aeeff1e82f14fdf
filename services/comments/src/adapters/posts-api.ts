import { z } from 'zod';
import type { PostLookup } from '../domain/known-post';
import type { PostsReader } from '../domain/ports';

export interface PostsApiOptions {
  /** The stage's HTTP API of the posts service (`POSTS_API_URL`), without a trailing path. */
  baseUrl: string;
  /** How long a comment waits for the answer, body included (default 2 s). */
  timeoutMs?: number;
  /** The platform's fetch unless told otherwise (tests). */
  fetch?: typeof globalThis.fetch;
}

/** The fields of the contract's Post this service records (the rest is ignored). */
const postBody = z.object({
  id: z.string().min(1),
  authorId: z.string().min(1),
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
});

/** The contract's 404: `{"error": {"code": "not_found"}}` (API Gateway's own 404 for a wrong URL is not one). */
const notFoundBody = z.object({ error: z.object({ code: z.literal('not_found') }) });

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Reads a post through the posts service's public `GET /api/v1/posts/{postId}`
 * with the platform's fetch. Only a 200 with a Post or the contract's 404
 * decides; anything else (no connection, no answer in time, 5xx, an API
 * Gateway 404 of a misconfigured URL, an unexpected body) is `unavailable`.
 */
export const buildPostsApi = ({
  baseUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  fetch = globalThis.fetch,
}: PostsApiOptions): PostsReader => {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    find: async (postId, { correlationId }): Promise<PostLookup> => {
      const url = `${base}/api/v1/posts/${encodeURIComponent(postId)}`;
      const unavailable = (why: string): PostLookup => ({
        status: 'unavailable',
        reason: `GET ${url}: ${why}`,
      });
      // Bounds the whole exchange, reading the body included.
      const signal = AbortSignal.timeout(timeoutMs);
      const timedOut = () => unavailable(`no answer within ${timeoutMs} ms`);
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json', 'x-correlation-id': correlationId },
          signal,
        });
        const body: unknown = await response.json().catch(() => undefined);
        if (signal.aborted) return timedOut();
        if (response.status === 404 && notFoundBody.safeParse(body).success) return { status: 'not-found' };
        if (response.status !== 200) return unavailable(`answered ${response.status}`);
        const post = postBody.safeParse(body);
        if (!post.success || post.data.id !== postId) return unavailable('answered 200 without this post');
        return { status: 'found', post: post.data };
      } catch (error) {
        if (signal.aborted) return timedOut();
        // fetch's TypeError says only "fetch failed"; its cause names the socket error.
        const cause = error instanceof Error && error.cause ? `: ${String(error.cause)}` : '';
        return unavailable(`unreachable (${String(error)}${cause})`);
      }
    },
  };
};
