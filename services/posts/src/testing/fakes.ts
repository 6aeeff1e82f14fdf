/**
 * In-memory fakes of the posts service's ports (tests only), with the
 * semantics of the tables: author checks in the write, tombstones, the outbox
 * slot, favorites and comment markers counted on their post, cursors scoped
 * like the real ones.
 * Lambda events come from @live-comments/shared/testing and
 * @live-comments/events/testing.
 */
import type { EventToPublish } from '@live-comments/events';
import { decodeCursor, encodeCursor, type RateLimit } from '@live-comments/shared';
import { memoryRateLimiter } from '@live-comments/shared/testing';
import { z } from 'zod';
import type { CommentMarkerState } from '../domain/counted-comment';
import type { Favorite } from '../domain/favorite';
import type { CountedCommentsStore, FavoritesStore, PostsStore } from '../domain/ports';
import type { StoredPost } from '../domain/post';
import type { PostsSideEffects } from '../side-effects';

/** In-memory posts table: author checks in the write, tombstones, outbox slot, cursors like the real one. */
export const memoryPosts = () => {
  const rows = new Map<string, StoredPost>();
  const cursorKey = z.strictObject({ id: z.string(), createdAt: z.string() });
  const isLive = (s: StoredPost | undefined): s is StoredPost => s !== undefined && !s.deletedAt;
  const authorCheck = (id: string, authorId: string) => {
    const row = rows.get(id);
    if (!isLive(row)) return { outcome: 'not_found' as const };
    if (row.post.authorId !== authorId) return { outcome: 'forbidden' as const };
    return { outcome: 'ok' as const, row };
  };
  const store: PostsStore = {
    create: async (stored) => {
      if (rows.has(stored.post.id)) throw new Error('duplicate id');
      rows.set(stored.post.id, structuredClone(stored));
    },
    get: async (id) => {
      const row = rows.get(id);
      return isLive(row) ? structuredClone(row.post) : undefined;
    },
    getMany: async (ids) =>
      ids.flatMap((id) => {
        const row = rows.get(id);
        return isLive(row) ? [structuredClone(row.post)] : [];
      }),
    list: async ({ limit, cursor }) => {
      const sorted = [...rows.values()]
        .filter(isLive)
        .map((s) => s.post)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
      const after = cursor ? decodeCursor(cursor, 'posts', cursorKey) : undefined;
      const start = after ? sorted.findIndex((p) => p.id === after.id) + 1 : 0;
      const items = sorted.slice(start, start + limit);
      const last = items.at(-1);
      const more = start + limit < sorted.length;
      return {
        items: structuredClone(items),
        nextCursor: more && last ? encodeCursor('posts', { id: last.id, createdAt: last.createdAt }) : null,
      };
    },
    update: async ({ postId, authorId, changes, event }) => {
      const check = authorCheck(postId, authorId);
      if (check.outcome !== 'ok') return check;
      const { row } = check;
      row.post = {
        ...row.post,
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        updatedAt: event.occurredAt,
      };
      row.pending = { ...event, type: row.pending?.type ?? 'PostUpdated' };
      return { outcome: 'written', stored: structuredClone(row) };
    },
    markDeleted: async ({ postId, authorId, event }) => {
      const check = authorCheck(postId, authorId);
      if (check.outcome !== 'ok') return check;
      const { row } = check;
      row.deletedAt = event.occurredAt;
      row.pending = { ...event, type: 'PostDeleted' };
      return { outcome: 'written', stored: structuredClone(row) };
    },
    settle: async (id, event) => {
      const row = rows.get(id);
      if (!row || row.pending?.eventId !== event.eventId) return;
      if (event.type === 'PostDeleted') rows.delete(id);
      else delete row.pending;
    },
    pending: async function* (dueBefore) {
      const due = [...rows.values()]
        .filter((s) => s.pending && s.pending.occurredAt < dueBefore)
        .sort((a, b) => (a.pending?.occurredAt ?? '').localeCompare(b.pending?.occurredAt ?? ''));
      for (const s of due) yield structuredClone(s);
    },
    adjustCounter: async (id, counter, delta) => {
      const row = rows.get(id);
      if (!isLive(row) || row.post[counter] + delta < 0) return false;
      row.post[counter] += delta;
      return true;
    },
  };
  return { store, rows };
};

/** The map under `key` of a map of maps, made empty on first use. */
const innerMap = <K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> => {
  let inner = outer.get(key);
  if (!inner) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
};

/**
 * Favorites in memory, counted on `posts` as the table's transactions do:
 * the favorite and the post's favoriteCount change together or not at all.
 */
export const memoryFavorites = (posts: Pick<PostsStore, 'adjustCounter'>) => {
  const byUser = new Map<string, Map<string, Favorite>>();
  const cursorKey = z.strictObject({ postId: z.string() });
  const of = (userId: string) => innerMap(byUser, userId);
  const store: FavoritesStore = {
    add: async (userId, favorite) => {
      const already = of(userId).has(favorite.postId);
      // A no-op move answers whether the post is live, as the transaction's condition does.
      if (!(await posts.adjustCounter(favorite.postId, 'favoriteCount', already ? 0 : 1))) return 'no-post';
      if (already) return 'already-there';
      of(userId).set(favorite.postId, { ...favorite });
      return 'added';
    },
    remove: async (userId, postId) => {
      if (!of(userId).delete(postId)) return 'not-there';
      await posts.adjustCounter(postId, 'favoriteCount', -1);
      return 'removed';
    },
    list: async (userId, { limit, cursor }) => {
      const scope = `favorites:${userId}`;
      const sorted = [...of(userId).values()].sort(
        (a, b) => b.favoritedAt.localeCompare(a.favoritedAt) || b.postId.localeCompare(a.postId),
      );
      const after = cursor ? decodeCursor(cursor, scope, cursorKey) : undefined;
      const start = after ? sorted.findIndex((f) => f.postId === after.postId) + 1 : 0;
      const items = sorted.slice(start, start + limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          start + limit < sorted.length && last ? encodeCursor(scope, { postId: last.postId }) : null,
      };
    },
  };
  return { store, byUser };
};

/**
 * Comment markers in memory, counted on the posts' rows as the table's
 * transactions do: a marker and its post's commentCount change together, only
 * on a live post; `markers` is postId -> commentId -> state.
 */
export const memoryCountedComments = (posts: Pick<ReturnType<typeof memoryPosts>, 'rows'>) => {
  const markers = new Map<string, Map<string, CommentMarkerState>>();
  const of = (postId: string) => innerMap(markers, postId);
  const livePost = (postId: string) => {
    const row = posts.rows.get(postId);
    return row && !row.deletedAt ? row : undefined;
  };
  const store: CountedCommentsStore = {
    count: async ({ postId, commentId }) => {
      const row = livePost(postId);
      if (!row) return 'no-post';
      const state = markers.get(postId)?.get(commentId);
      if (state) return state === 'counted' ? 'already-counted' : 'already-deleted';
      of(postId).set(commentId, 'counted');
      row.post.commentCount += 1;
      return 'counted';
    },
    uncount: async ({ postId, commentId }) => {
      const row = livePost(postId);
      if (!row) return 'no-post';
      const state = markers.get(postId)?.get(commentId);
      if (state === 'deleted') return 'already-deleted';
      if (state === undefined) {
        of(postId).set(commentId, 'deleted');
        return 'deleted-before-counted';
      }
      if (row.post.commentCount < 1) return 'no-post';
      of(postId).set(commentId, 'deleted');
      row.post.commentCount -= 1;
      return 'uncounted';
    },
    forget: async (postId, max) => {
      const ofPost = markers.get(postId);
      for (const commentId of [...(ofPost?.keys() ?? [])].slice(0, max)) ofPost?.delete(commentId);
      if (ofPost?.size) return false;
      markers.delete(postId);
      return true;
    },
  };
  return { store, markers };
};

/** A publisher that records what it was asked to publish; `failing` makes every call throw. */
export const recordingPublisher = () => {
  const published: EventToPublish[] = [];
  const state = { failing: false };
  return {
    published,
    state,
    publisher: {
      publishAll: async (events: EventToPublish[]) => {
        if (state.failing) throw new Error('EventBridge is unavailable');
        published.push(...events);
        return events.map((e) => ({
          version: e.contract.version,
          eventId: e.options.eventId ?? 'generated',
          correlationId: e.options.correlationId,
          occurredAt: e.options.occurredAt ?? '2026-01-01T00:00:00.000Z',
          data: e.data,
        }));
      },
    },
  };
};

/** Fake side effects: in-memory tables, a recording publisher, a settable clock and sequential ids. */
export const fakeDeps = (
  start = '2026-01-01T10:00:00.000Z',
  limits: { posts?: RateLimit; favorites?: RateLimit } = {},
) => {
  const posts = memoryPosts();
  const favorites = memoryFavorites(posts.store);
  const countedComments = memoryCountedComments(posts);
  const events = recordingPublisher();
  const time = { now: new Date(start) };
  let next = 0;
  // Generous unless a test lowers them: tests about posts never meet them.
  const postWriteLimit = memoryRateLimiter(limits.posts ?? { perMinute: 600, burst: 100 }, () =>
    time.now.getTime(),
  );
  const favoriteWriteLimit = memoryRateLimiter(limits.favorites ?? { perMinute: 600, burst: 100 }, () =>
    time.now.getTime(),
  );
  const deps: PostsSideEffects = {
    posts: posts.store,
    favorites: favorites.store,
    countedComments: countedComments.store,
    publisher: events.publisher,
    clock: () => new Date(time.now),
    newId: () => `id-${++next}`,
    idempotencyTable: 'test-posts-idempotency',
    stage: 'test',
    postWriteLimit,
    favoriteWriteLimit,
  };
  return {
    deps,
    posts,
    favorites,
    countedComments,
    events,
    /** Moves the clock on by ms. */
    tick: (ms = 1000) => {
      time.now = new Date(time.now.getTime() + ms);
    },
  };
};

export type FakeDeps = ReturnType<typeof fakeDeps>;
