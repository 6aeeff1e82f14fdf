import type { Comment } from '@live-comments/client';
import { h, time } from './dom';

export interface CommentListOptions {
  /** The signed-in user, whose comments get a delete button. */
  user: () => string | undefined;
  onDelete: (comment: Comment) => void;
}

/**
 * A post's comments in `seq` order, each shown once: the live stream, the
 * answer to one's own POST and a catch-up after a reconnect may all carry the
 * same comment, and a deleted one never comes back.
 */
export const createCommentList = (options: CommentListOptions) => {
  const element = h('ol', { class: 'comments', 'data-testid': 'comments' });
  const shown = new Map<string, HTMLLIElement>();
  const deleted = new Set<string>();

  const render = (comment: Comment) => {
    const own = comment.authorId === options.user();
    return h(
      'li',
      { class: 'comment', 'data-testid': 'comment', 'data-comment-id': comment.id, 'data-seq': comment.seq },
      h(
        'p',
        { class: 'meta' },
        h('strong', { 'data-testid': 'comment-author' }, comment.authorId),
        ' · ',
        time(comment.createdAt),
        own &&
          h(
            'button',
            {
              type: 'button',
              class: 'link danger',
              'data-testid': 'comment-delete',
              onclick: () => options.onDelete(comment),
            },
            'delete',
          ),
      ),
      h('p', { class: 'text', 'data-testid': 'comment-body' }, comment.body),
    );
  };

  const seqOf = (item: Element | null) => Number((item as HTMLElement | null)?.dataset.seq);

  return {
    element,
    count: () => shown.size,
    add(comment: Comment) {
      if (shown.has(comment.id) || deleted.has(comment.id)) return;
      const item = render(comment);
      shown.set(comment.id, item);
      // Almost always the newest: check the end before walking the list.
      if (!element.lastElementChild || seqOf(element.lastElementChild) < comment.seq) {
        element.append(item);
        return;
      }
      const later = [...element.children].find((child) => seqOf(child) > comment.seq);
      element.insertBefore(item, later ?? null);
    },
    remove(commentId: string) {
      deleted.add(commentId);
      shown.get(commentId)?.remove();
      shown.delete(commentId);
    },
  };
};
