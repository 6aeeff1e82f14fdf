import { NotFoundError, type Page } from '@live-comments/shared';
import type { Post, PostsStore } from './posts';

export interface Favorite {
  postId: string;
  favoritedAt: string;
}

/** The favorites table as the domain sees it. */
export interface FavoritesStore {
  /** True when this call created the favorite, false when it was already there. */
  add(userId: string, favorite: Favorite): Promise<boolean>;
  /** True when this call removed the favorite, false when there was none. */
  remove(userId: string, postId: string): Promise<boolean>;
  /** The user's favorites, newest first. A cursor from another list is an InvalidCursorError. */
  list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Favorite>>;
}

export interface FavoritesDeps {
  posts: Pick<PostsStore, 'get' | 'getMany' | 'adjustCounter'>;
  favorites: FavoritesStore;
  clock: () => Date;
}

/**
 * `PUT .../favorite`, idempotent: the favorite is written only if absent, and
 * the counter moves only when this call created it. If the post turns out not
 * to exist (or was deleted meanwhile), the favorite is taken back and it is a
 * 404. The two writes are not atomic: a crash between them leaves the counter
 * one short, which is the price of running without transactions (see outbox.ts).
 */
export const favoritePost = async (
  deps: FavoritesDeps,
  input: { userId: string; postId: string },
): Promise<void> => {
  const created = await deps.favorites.add(input.userId, {
    postId: input.postId,
    favoritedAt: deps.clock().toISOString(),
  });
  if (created) {
    if (await deps.posts.adjustCounter(input.postId, 'favoriteCount', 1)) return;
    await deps.favorites.remove(input.userId, input.postId);
    throw new NotFoundError('No post with this id.');
  }
  if (!(await deps.posts.get(input.postId))) throw new NotFoundError('No post with this id.');
};

/**
 * `DELETE .../favorite`, idempotent: removing a favorite that is not there is
 * the state the caller asked for, so it is a 204 even for an unknown post.
 */
export const unfavoritePost = async (
  deps: FavoritesDeps,
  input: { userId: string; postId: string },
): Promise<void> => {
  if (await deps.favorites.remove(input.userId, input.postId)) {
    // false only when the post is gone: nothing left to count.
    await deps.posts.adjustCounter(input.postId, 'favoriteCount', -1);
  }
};

/**
 * `GET /api/v1/me/favorites`: one page of the user's favorites, newest first,
 * as posts. Favorites of deleted posts are left out, so a page may hold fewer
 * items than the limit while nextCursor still leads on.
 */
export const listMyFavorites = async (
  deps: FavoritesDeps,
  input: { userId: string; limit: number; cursor?: string | undefined },
): Promise<Page<Post>> => {
  const page = await deps.favorites.list(input.userId, { limit: input.limit, cursor: input.cursor });
  if (page.items.length === 0) return { items: [], nextCursor: page.nextCursor };
  const posts = new Map(
    (await deps.posts.getMany(page.items.map((f) => f.postId))).map((post) => [post.id, post]),
  );
  const items = page.items.flatMap((f) => {
    const post = posts.get(f.postId);
    return post ? [post] : [];
  });
  return { items, nextCursor: page.nextCursor };
};
