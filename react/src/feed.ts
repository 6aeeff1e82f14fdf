import type { Comment } from '@live-comments/client';
import { useEffect, useRef } from 'react';
import { useLiveComments } from './provider';

/**
 * Calls `onComment` for every new comment on any post (the `feed` topic: toasts),
 * best effort across reconnects. The latest `onComment` is called; a new
 * function on every render subscribes nothing again.
 */
export const useFeed = (onComment: (comment: Comment) => void, onError?: (error: Error) => void): void => {
  const { live } = useLiveComments();
  const handlers = useRef({ onComment, onError });
  useEffect(() => {
    handlers.current = { onComment, onError };
  }, [onComment, onError]);
  useEffect(() => {
    if (!live) return;
    const watch = live.watchFeed({
      onComment: (comment) => handlers.current.onComment(comment),
      onError: (error) => handlers.current.onError?.(error),
    });
    return () => watch.close();
  }, [live]);
};
