/** Hash routes: `#/` the posts list, `#/posts/<id>` one post. */
export type Route = { page: 'posts' } | { page: 'post'; postId: string };

export const currentRoute = (): Route => {
  const match = /^#\/posts\/([^/?#]+)$/.exec(location.hash);
  return match?.[1] ? { page: 'post', postId: decodeURIComponent(match[1]) } : { page: 'posts' };
};

export const postHref = (postId: string) => `#/posts/${encodeURIComponent(postId)}`;
