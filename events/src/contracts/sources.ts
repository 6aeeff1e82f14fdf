/** The `source` of each producer, as in API.md. */
export const POSTS_SOURCE = 'live-comments.posts';
export const COMMENTS_SOURCE = 'live-comments.comments';
