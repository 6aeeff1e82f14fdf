import type { Post } from '@live-comments/client';
import type { AppContext, Dispose } from './context';
import { h, plural, replaceChildren, time } from './dom';
import { attempt } from './errors';
import { postHref } from './router';

const PAGE_SIZE = 20;

const postItem = (post: Post) =>
  h(
    'li',
    { class: 'post', 'data-testid': 'post-item', 'data-post-id': post.id },
    h('a', { href: postHref(post.id), 'data-testid': 'post-link' }, post.title),
    h(
      'p',
      { class: 'meta' },
      'by ',
      h('strong', {}, post.authorId),
      ' · ',
      time(post.createdAt),
      ` · ${plural(post.commentCount, 'comment')} · ${plural(post.favoriteCount, 'favorite')}`,
    ),
  );

/** The posts, newest first, a page at a time ("Load more" follows nextCursor), and a form to write one. */
export const postsPage = (view: HTMLElement, { api, session }: AppContext): Dispose => {
  const list = h('ol', { class: 'posts', 'data-testid': 'posts' });
  const empty = h('p', { class: 'muted', 'data-testid': 'no-posts', hidden: true }, 'No posts yet.');
  const shown = new Set<string>();
  let cursor: string | undefined;

  const add = (post: Post, where: 'top' | 'bottom') => {
    // A post written here is shown at once; the next page may list it again.
    if (shown.has(post.id)) return;
    shown.add(post.id);
    if (where === 'top') list.prepend(postItem(post));
    else list.append(postItem(post));
    empty.hidden = true;
  };

  const more = h(
    'button',
    { type: 'button', 'data-testid': 'load-more', hidden: true, onclick: () => void loadPage() },
    'Load more',
  );
  const loadPage = async () => {
    more.disabled = true;
    const page = await attempt(() => api.listPosts({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }));
    more.disabled = false;
    if (!page) return;
    for (const post of page.items) add(post, 'bottom');
    cursor = page.nextCursor ?? undefined;
    more.hidden = !cursor;
    empty.hidden = shown.size > 0;
  };

  const newPostForm = () => {
    if (!session.user())
      return h('p', { class: 'muted', 'data-testid': 'post-sign-in' }, 'Sign in to write a post.');
    const title = h('input', { name: 'title', placeholder: 'Title', 'data-testid': 'post-title-input' });
    const body = h('textarea', {
      name: 'body',
      rows: 3,
      placeholder: 'What is it about?',
      'data-testid': 'post-body-input',
    });
    const submit = h('button', { type: 'submit', 'data-testid': 'post-submit' }, 'Post');
    return h(
      'form',
      {
        class: 'stack',
        'data-testid': 'new-post-form',
        onsubmit: (event) => {
          event.preventDefault();
          submit.disabled = true;
          void attempt(() => api.createPost({ title: title.value, body: body.value })).then((post) => {
            submit.disabled = false;
            if (!post) return;
            title.value = '';
            body.value = '';
            add(post, 'top');
          });
        },
      },
      title,
      body,
      submit,
    );
  };

  replaceChildren(view, h('h1', {}, 'Posts'), newPostForm(), list, empty, more);
  void loadPage();
  return () => {};
};
