'use client';
import { type Comment, type Post, SubscriptionError } from '@live-comments/client';
import { useLiveComments, usePost, usePostComments } from '@live-comments/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useAppSession } from './app-context';
import { CommentList } from './comment-list';
import { useErrors } from './errors';
import { SubmitButton, TextField, useSubmit } from './form';
import { plural } from './format';
import { Time } from './time';

const FAVORITES_PAGE = 100;

/** Whether the signed-in user has favorited the post (the API lists favorites, it has no per-post flag). */
const useIsFavorite = (postId: string, user: string | undefined) => {
  const { api } = useLiveComments();
  const { showError } = useErrors();
  const [favorite, setFavorite] = useState(false);
  useEffect(() => {
    if (!user) return;
    let current = true;
    const read = async () => {
      let cursor: string | undefined;
      do {
        const page = await api.myFavorites({ limit: FAVORITES_PAGE, ...(cursor ? { cursor } : {}) });
        if (page.items.some((post) => post.id === postId)) return true;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return false;
    };
    read().then(
      (value) => {
        if (current) setFavorite(value);
      },
      (error: unknown) => {
        if (current) showError(error);
      },
    );
    return () => {
      current = false;
    };
  }, [api, postId, user, showError]);
  return [favorite, setFavorite] as const;
};

function FavoriteButton({ post, user }: { post: Post; user: string | undefined }) {
  const { api } = useLiveComments();
  const { attempt } = useErrors();
  const [favorite, setFavorite] = useIsFavorite(post.id, user);
  const [count, setCount] = useState(post.favoriteCount);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    const next = !favorite;
    // The count as the posts service keeps it, not a local guess; shown with the new state at once.
    const fresh = await attempt(async () => {
      await (next ? api.favorite(post.id) : api.unfavorite(post.id));
      return api.getPost(post.id);
    });
    if (fresh) {
      setFavorite(next);
      setCount(fresh.favoriteCount);
    }
    setBusy(false);
  };
  return (
    <button
      type="button"
      className="favorite"
      data-testid="favorite"
      aria-pressed={favorite}
      disabled={!user || busy}
      title={user ? undefined : 'Sign in to favorite'}
      onClick={() => void toggle()}
    >
      <span>{favorite ? '★ Favorited' : '☆ Favorite'}</span> <span data-testid="favorite-count">{count}</span>
    </button>
  );
}

function CommentForm({
  postId,
  user,
  onCreated,
}: {
  postId: string;
  user: string;
  onCreated: (comment: Comment) => void;
}) {
  const { api } = useLiveComments();
  const { sending, onSubmitOf } = useSubmit();
  const [body, setBody] = useState('');
  return (
    <form
      className="stack"
      data-testid="comment-form"
      aria-label="Write a comment"
      // The API's own validation decides what a comment may be; its message is shown as is.
      onSubmit={onSubmitOf(
        () => api.createComment(postId, body),
        (created) => {
          setBody('');
          onCreated(created);
        },
      )}
    >
      <TextField
        label={`Comment as ${user}`}
        name="body"
        testId="comment-input"
        value={body}
        onChange={setBody}
        multiline
      />
      <SubmitButton label="Comment" testId="comment-submit" sending={sending} />
    </form>
  );
}

export const PostMissing = () => (
  <p data-testid="post-missing">
    This post does not exist. <Link href="/">All posts</Link>
  </p>
);

/** One post, its comments live (every comment once, in seq order, across reconnects) and a form. */
export function PostPage({ postId }: { postId: string }) {
  const { api } = useLiveComments();
  const { user } = useAppSession();
  const { attempt, showError, clearError } = useErrors();
  const router = useRouter();
  const state = usePost(postId);
  const { comments, add, remove } = usePostComments(postId, {
    onError: (error) => {
      // A refused subscription is worth telling; a failed catch-up read is retried, and the badge says why.
      if (error instanceof SubscriptionError) showError(error);
      else console.warn('catch-up read failed, retrying', error);
    },
  });
  useEffect(() => clearError(), [clearError]);
  useEffect(() => {
    if (state.status === 'error') showError(state.error);
  }, [state, showError]);

  if (state.status === 'loading') return <p className="muted">Loading…</p>;
  if (state.status === 'missing') return <PostMissing />;
  if (state.status === 'error') return null;

  const { post } = state;
  return (
    <>
      <article className="post-page" data-testid="post" data-post-id={post.id}>
        <p>
          <Link href="/" data-testid="back">
            ← All posts
          </Link>
        </p>
        <h1 data-testid="post-title">{post.title}</h1>
        <p className="meta">
          by <strong>{post.authorId}</strong> · <Time iso={post.createdAt} />
        </p>
        <p className="text" data-testid="post-body">
          {post.body}
        </p>
        <p className="actions">
          <FavoriteButton post={post} user={user} />
          {post.authorId === user && (
            <button
              type="button"
              className="link danger"
              data-testid="post-delete"
              onClick={() =>
                void attempt(async () => {
                  await api.deletePost(post.id);
                  router.push('/');
                })
              }
            >
              Delete post
            </button>
          )}
        </p>
      </article>
      <section className="comments-section" aria-labelledby="comments-heading">
        <h2 id="comments-heading">
          <span data-testid="comment-count">{plural(comments.length, 'comment')}</span>
        </h2>
        <CommentList
          comments={comments}
          user={user}
          onDelete={(comment) =>
            void attempt(async () => {
              await api.deleteComment(postId, comment.id);
              remove(comment.id);
            })
          }
        />
        {user ? (
          <CommentForm postId={postId} user={user} onCreated={add} />
        ) : (
          <p className="muted" data-testid="comment-sign-in">
            Sign in to comment.
          </p>
        )}
      </section>
    </>
  );
}
