import type { Comment } from '@live-comments/client';

/**
 * A post's comments in `seq` order, each once, as a value React can hold:
 * the live stream, the answer to one's own POST and a catch-up after a
 * reconnect (or after strict mode's second effect) may all carry the same
 * comment, and a deleted one never comes back.
 */
export interface CommentList {
  postId: string;
  comments: readonly Comment[];
  deleted: ReadonlySet<string>;
}

export const emptyList = (postId: string): CommentList => ({ postId, comments: [], deleted: new Set() });

/** The list with `comment` in its place by `seq`; the same list when it is there already or was deleted. */
export const withComment = (list: CommentList, comment: Comment): CommentList => {
  if (list.deleted.has(comment.id) || list.comments.some((shown) => shown.id === comment.id)) return list;
  // Almost always the newest: look from the end.
  let at = list.comments.length;
  while (at > 0 && (list.comments[at - 1]?.seq ?? 0) > comment.seq) at--;
  return { ...list, comments: [...list.comments.slice(0, at), comment, ...list.comments.slice(at)] };
};

/** The list without the comment, which is remembered so that no later delivery shows it again. */
export const withoutComment = (list: CommentList, commentId: string): CommentList => {
  if (list.deleted.has(commentId)) return list;
  return {
    ...list,
    comments: list.comments.filter((comment) => comment.id !== commentId),
    deleted: new Set([...list.deleted, commentId]),
  };
};
