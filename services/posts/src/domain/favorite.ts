/** A post a user marked as a favorite, and when. */
export interface Favorite {
  postId: string;
  favoritedAt: string;
}

/** What adding a favorite did: nothing changes unless it was `added`. */
export type FavoriteAdded = 'added' | 'already-there' | 'no-post';
/** What removing a favorite did. */
export type FavoriteRemoved = 'removed' | 'not-there';
