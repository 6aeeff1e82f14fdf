/**
 * Topics a connection can subscribe to: `post:<postId>` (every event of one
 * post) and `feed` (every new comment on any post, the toast stream).
 */
export type Topic = `post:${string}` | 'feed';

export const FEED_TOPIC = 'feed' satisfies Topic;

/** Post ids are opaque but short and URL-safe (UUIDs, ULIDs); anything else cannot name a post. */
const POST_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const postTopic = (postId: string): Topic => `post:${postId}`;

/** The topic a client named, or undefined when it is not a topic shape this service knows. */
export const parseTopic = (value: unknown): Topic | undefined => {
  if (value === FEED_TOPIC) return FEED_TOPIC;
  if (typeof value !== 'string' || !value.startsWith('post:')) return undefined;
  const postId = value.slice('post:'.length);
  return POST_ID.test(postId) ? postTopic(postId) : undefined;
};
