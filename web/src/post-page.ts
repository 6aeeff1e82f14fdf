import { ApiError, type Post, SubscriptionError } from '@live-comments/client';
import { createCommentList } from './comment-list';
import type { AppContext, Dispose } from './context';
import { h, plural, replaceChildren, time } from './dom';
import { attempt, showError } from './errors';

const FAVORITES_PAGE = 100;

/** Whether the signed-in user has favorited the post (the API lists favorites, it has no per-post flag). */
const isFavorite = async ({ api }: AppContext, postId: string): Promise<boolean> => {
  let cursor: string | undefined;
  do {
    const page = await api.myFavorites({ limit: FAVORITES_PAGE, ...(cursor ? { cursor } : {}) });
    if (page.items.some((post) => post.id === postId)) return true;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return false;
};

const favoriteButton = (context: AppContext, initial: Post) => {
  const { api, session } = context;
  let post = initial;
  let favorite = false;
  const count = h('span', { 'data-testid': 'favorite-count' }, String(post.favoriteCount));
  const label = h('span', {}, '☆ Favorite');
  const button = h(
    'button',
    {
      type: 'button',
      class: 'favorite',
      'data-testid': 'favorite',
      'aria-pressed': 'false',
      disabled: !session.user(),
      title: session.user() ? undefined : 'Sign in to favorite',
      onclick: () => void toggle(),
    },
    label,
    ' ',
    count,
  );
  const show = () => {
    button.setAttribute('aria-pressed', String(favorite));
    label.textContent = favorite ? '★ Favorited' : '☆ Favorite';
    count.textContent = String(post.favoriteCount);
  };
  const toggle = async () => {
    button.disabled = true;
    const next = !favorite;
    const done = await attempt(async () => {
      await (next ? api.favorite(post.id) : api.unfavorite(post.id));
      return true;
    });
    if (done) {
      favorite = next;
      // The count as the posts service keeps it, not a local guess.
      post = (await attempt(() => api.getPost(post.id))) ?? post;
    }
    button.disabled = false;
    show();
  };
  if (session.user()) {
    isFavorite(context, post.id).then((value) => {
      favorite = value;
      show();
    }, showError);
  }
  return button;
};

/** One post, its comments live (watchPost: every comment once, in seq order, across reconnects) and a form. */
export const postPage = (view: HTMLElement, postId: string, context: AppContext): Dispose => {
  const { api, live, session } = context;
  const user = session.user();
  replaceChildren(view, h('p', { class: 'muted' }, 'Loading…'));

  const comments = createCommentList({
    user: () => user,
    onDelete: (comment) =>
      void attempt(async () => {
        await api.deleteComment(postId, comment.id);
        comments.remove(comment.id);
        showCount();
      }),
  });
  const countLabel = h('span', { 'data-testid': 'comment-count' }, plural(0, 'comment'));
  const showCount = () => {
    countLabel.textContent = plural(comments.count(), 'comment');
  };

  const watch = live.watchPost(postId, {
    onComment: (comment) => {
      comments.add(comment);
      showCount();
    },
    onDeleted: (deleted) => {
      comments.remove(deleted.id);
      showCount();
    },
    onError: (error) => {
      // A refused subscription is worth telling; a failed catch-up read is retried, and the badge says why.
      if (error instanceof SubscriptionError) showError(error);
      else console.warn('catch-up read failed, retrying', error);
    },
  });

  const commentForm = () => {
    if (!user) return h('p', { class: 'muted', 'data-testid': 'comment-sign-in' }, 'Sign in to comment.');
    const input = h('textarea', {
      name: 'body',
      rows: 3,
      placeholder: `Comment as ${user}`,
      'data-testid': 'comment-input',
    });
    const submit = h('button', { type: 'submit', 'data-testid': 'comment-submit' }, 'Comment');
    const form = h(
      'form',
      {
        class: 'stack',
        'data-testid': 'comment-form',
        onsubmit: (event) => {
          event.preventDefault();
          submit.disabled = true;
          // The API's own validation decides what a comment may be; its message is shown as is.
          void attempt(() => api.createComment(postId, input.value)).then((created) => {
            submit.disabled = false;
            if (!created) return;
            input.value = '';
            comments.add(created);
            showCount();
          });
        },
      },
      input,
      submit,
    );
    return form;
  };

  const show = (post: Post) => {
    const own = post.authorId === user;
    replaceChildren(
      view,
      h(
        'article',
        { class: 'post-page', 'data-testid': 'post', 'data-post-id': post.id },
        h('p', {}, h('a', { href: '#/', 'data-testid': 'back' }, '← All posts')),
        h('h1', { 'data-testid': 'post-title' }, post.title),
        h('p', { class: 'meta' }, 'by ', h('strong', {}, post.authorId), ' · ', time(post.createdAt)),
        h('p', { class: 'text', 'data-testid': 'post-body' }, post.body),
        h(
          'p',
          { class: 'actions' },
          favoriteButton(context, post),
          own &&
            h(
              'button',
              {
                type: 'button',
                class: 'link danger',
                'data-testid': 'post-delete',
                onclick: () =>
                  void attempt(async () => {
                    await api.deletePost(post.id);
                    location.hash = '#/';
                  }),
              },
              'Delete post',
            ),
        ),
      ),
      h('section', { class: 'comments-section' }, h('h2', {}, countLabel), comments.element, commentForm()),
    );
  };

  let disposed = false;
  api.getPost(postId).then(
    (post) => {
      if (!disposed) show(post);
    },
    (error: unknown) => {
      if (disposed) return;
      if (error instanceof ApiError && error.status === 404) {
        watch.close();
        replaceChildren(
          view,
          h(
            'p',
            { 'data-testid': 'post-missing' },
            'This post does not exist. ',
            h('a', { href: '#/' }, 'All posts'),
          ),
        );
      } else {
        replaceChildren(view);
        showError(error);
      }
    },
  );

  return () => {
    disposed = true;
    watch.close();
  };
};
