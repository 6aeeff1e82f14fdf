import { NotFoundError, type Page } from '@live-comments/shared';
import type { Clock, FavoritesStore, PostsStore } from './ports';
import type { Post } from './post';

export interface FavoritesDeps {
  posts: Pick<PostsStore, 'getMany'>;
  favorites: FavoritesStore;
  clock: Clock;
}

/**
 * `PUT .../favorite`, idempotent: the favorite and the post's favoriteCount
 * move together or not at all, so the count is exact even if a request dies
 * half-way; favoriting an unknown or deleted post is a 404.
 */
export const favoritePost = async (
  deps: FavoritesDeps,
  input: { userId: string; postId: string },
): Promise<void> => {
  const outcome = await deps.favorites.add(input.userId, {
    postId: input.postId,
    favoritedAt: deps.clock().toISOString(),
  });
  if (outcome === 'no-post') throw new NotFoundError('No post with this id.');
};

/**
 * `DELETE .../favorite`, idempotent: removing a favorite that is not there is
 * the state the caller asked for, so it is a 204 even for an unknown post.
 */
export const unfavoritePost = async (
  deps: FavoritesDeps,
  input: { userId: string; postId: string },
): Promise<void> => {
  await deps.favorites.remove(input.userId, input.postId);
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
