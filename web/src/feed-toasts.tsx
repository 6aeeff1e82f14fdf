'use client';
import type { Comment } from '@live-comments/client';
import { useFeed } from '@live-comments/react';
import Link from 'next/link';
import { useCallback } from 'react';
import { toast } from 'sonner';
import { postHref } from './format';

const EXCERPT = 80;
const TOAST_MS = 8_000;

/** The post on screen, if any, read when a comment arrives (its comments show there, not as toasts). */
const postOnScreen = () =>
  /^\/post\/?$/.test(location.pathname) ? new URLSearchParams(location.search).get('id') : null;

/** A toast for every new comment on any post, except the post on screen. */
export function FeedToasts() {
  const onComment = useCallback((comment: Comment) => {
    if (postOnScreen() === comment.postId) return;
    const text = comment.body.length > EXCERPT ? `${comment.body.slice(0, EXCERPT)}…` : comment.body;
    toast.custom(
      (id) => (
        <div className="toast" data-testid="toast">
          <strong>{comment.authorId}</strong> commented:{' '}
          <Link href={postHref(comment.postId)} data-testid="toast-link" onClick={() => toast.dismiss(id)}>
            {text}
          </Link>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => toast.dismiss(id)}>
            ×
          </button>
        </div>
      ),
      { duration: TOAST_MS },
    );
  }, []);
  useFeed(onComment);
  return null;
}
