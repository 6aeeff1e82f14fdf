'use client';
import type { Post } from '@live-comments/client';
import { useLiveComments } from '@live-comments/react';
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { useAppSession } from './app-context';
import { useErrors } from './errors';
import { SubmitButton, TextField, useSubmit } from './form';
import { plural, postHref } from './format';
import { Time } from './time';

const PAGE_SIZE = 20;

const PostItem = ({ post }: { post: Post }) => (
  <li className="post" data-testid="post-item" data-post-id={post.id}>
    <Link href={postHref(post.id)} data-testid="post-link">
      {post.title}
    </Link>
    <p className="meta">
      by <strong>{post.authorId}</strong> · <Time iso={post.createdAt} /> ·{' '}
      {plural(post.commentCount, 'comment')} · {plural(post.favoriteCount, 'favorite')}
    </p>
  </li>
);

function NewPostForm({ onCreated }: { onCreated: (post: Post) => void }) {
  const { api } = useLiveComments();
  const { sending, onSubmitOf } = useSubmit();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  return (
    <form
      className="stack"
      data-testid="new-post-form"
      aria-label="Write a post"
      onSubmit={onSubmitOf(
        () => api.createPost({ title, body }),
        (post) => {
          setTitle('');
          setBody('');
          onCreated(post);
        },
      )}
    >
      <TextField label="Title" name="title" testId="post-title-input" value={title} onChange={setTitle} />
      <TextField
        label="What is it about?"
        name="body"
        testId="post-body-input"
        value={body}
        onChange={setBody}
        multiline
      />
      <SubmitButton label="Post" testId="post-submit" sending={sending} />
    </form>
  );
}

/** The posts, newest first, a page at a time ("Load more" follows nextCursor), and a form to write one. */
export function PostsPage() {
  const { api } = useLiveComments();
  const { user } = useAppSession();
  const { attempt, clearError } = useErrors();
  const [posts, setPosts] = useState<Post[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  // A post written here is shown at once; the next page may list it again.
  const add = useCallback((more: Post[], where: 'top' | 'bottom') => {
    setPosts((shown) => {
      const known = new Set(shown.map((post) => post.id));
      const fresh = more.filter((post) => !known.has(post.id));
      return where === 'top' ? [...fresh, ...shown] : [...shown, ...fresh];
    });
  }, []);

  const loadPage = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const page = await attempt(() =>
        api.listPosts({ limit: PAGE_SIZE, ...(after ? { cursor: after } : {}) }),
      );
      setLoading(false);
      if (!page) return;
      add(page.items, 'bottom');
      setCursor(page.nextCursor ?? null);
    },
    [api, attempt, add],
  );

  useEffect(() => {
    clearError();
    let current = true;
    // Strict mode's second effect must not list the first page twice: `add` drops posts already shown.
    void api.listPosts({ limit: PAGE_SIZE }).then(
      (page) => {
        if (!current) return;
        add(page.items, 'bottom');
        setCursor(page.nextCursor ?? null);
        setLoading(false);
      },
      (error: unknown) => {
        if (current) void attempt(() => Promise.reject(error)).then(() => setLoading(false));
      },
    );
    return () => {
      current = false;
    };
  }, [api, add, attempt, clearError]);

  return (
    <>
      <h1>Posts</h1>
      {user ? (
        <NewPostForm onCreated={(post) => add([post], 'top')} />
      ) : (
        <p className="muted" data-testid="post-sign-in">
          Sign in to write a post.
        </p>
      )}
      <ol className="posts" data-testid="posts" aria-label="Posts, newest first" aria-busy={loading}>
        {posts.map((post) => (
          <PostItem key={post.id} post={post} />
        ))}
      </ol>
      {!loading && posts.length === 0 && (
        <p className="muted" data-testid="no-posts">
          No posts yet.
        </p>
      )}
      {cursor && (
        <button
          type="button"
          data-testid="load-more"
          disabled={loading}
          onClick={() => void loadPage(cursor)}
        >
          Load more
        </button>
      )}
    </>
  );
}
