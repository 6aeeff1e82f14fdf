import type { Comment } from '@live-comments/client';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { type CommentList, emptyList, withComment, withoutComment } from './comment-list';
import { useLiveComments } from './provider';

export interface PostCommentsOptions {
  /** A refused subscription, or a failed catch-up read (the client retries it). */
  onError?: (error: Error) => void;
}

export interface PostComments {
  /** Every comment of the post once, in `seq` order, across reconnects; deleted ones are gone. */
  comments: readonly Comment[];
  /** Shows a comment at once (the answer to one's own POST); the live copy will not show it twice. */
  add(comment: Comment): void;
  /** Takes a comment away at once (after one's own DELETE); it never comes back. */
  remove(commentId: string): void;
}

type Action = { postId: string } & ({ add: Comment } | { remove: string });

const reduce = (list: CommentList, action: Action): CommentList => {
  // A new post starts from nothing; a late delivery for a post left behind starts its own list, unseen.
  const current = list.postId === action.postId ? list : emptyList(action.postId);
  return 'add' in action ? withComment(current, action.add) : withoutComment(current, action.remove);
};

/**
 * A post's comments, live: `watchPost` of `@live-comments/client` (each
 * comment once, in `seq` order, across reconnects, deletions included) kept as
 * React state. Components watching the same post share one subscription (the
 * client shares it per topic); strict mode's second effect watches again and
 * changes nothing on screen.
 */
export const usePostComments = (postId: string, options: PostCommentsOptions = {}): PostComments => {
  const { live } = useLiveComments();
  const [list, dispatch] = useReducer(reduce, postId, emptyList);
  const onError = useRef(options.onError);
  useEffect(() => {
    onError.current = options.onError;
  }, [options.onError]);

  useEffect(() => {
    if (!live) return;
    const watch = live.watchPost(postId, {
      onComment: (comment) => dispatch({ postId, add: comment }),
      onDeleted: (deleted) => dispatch({ postId, remove: deleted.id }),
      onError: (error) => onError.current?.(error),
    });
    return () => watch.close();
  }, [live, postId]);

  const add = useCallback((comment: Comment) => dispatch({ postId, add: comment }), [postId]);
  const remove = useCallback((commentId: string) => dispatch({ postId, remove: commentId }), [postId]);
  return { comments: list.postId === postId ? list.comments : [], add, remove };
};
