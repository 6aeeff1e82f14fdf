const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatTime = (iso: string) => timeFormat.format(new Date(iso));

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/** A post's page: `/post/?id=…` (one static page for every post; a static export has no page per id). */
export const postHref = (postId: string) => `/post/?id=${encodeURIComponent(postId)}`;
