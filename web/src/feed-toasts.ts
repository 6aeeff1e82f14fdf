import type { AppContext } from './context';
import { h } from './dom';
import { currentRoute, postHref } from './router';
import { toast } from './toasts';

const EXCERPT = 80;

/** A toast for every new comment on any post, except the post on screen (its comments show there). */
export const toastNewComments = ({ live }: AppContext) =>
  live.watchFeed({
    onComment: (comment) => {
      const route = currentRoute();
      if (route.page === 'post' && route.postId === comment.postId) return;
      const text = comment.body.length > EXCERPT ? `${comment.body.slice(0, EXCERPT)}…` : comment.body;
      toast(
        h('strong', {}, comment.authorId),
        ' commented: ',
        h('a', { href: postHref(comment.postId), 'data-testid': 'toast-link' }, text),
      );
    },
  });
