/**
 * What the comment counter remembers of each comment: a marker per comment
 * (post id + comment id) whose state only moves forward, so that a post's
 * commentCount is exact whatever the order and number of deliveries of
 * CommentCreated and CommentDeleted (SQS keeps no order, EventBridge and SQS
 * deliver at least once, and the bus archive replays whole time ranges):
 *
 * | marker    | CommentCreated               | CommentDeleted                                |
 * | --------- | ---------------------------- | --------------------------------------------- |
 * | (none)    | `counted`, commentCount + 1  | `deleted`, count unchanged (a tombstone: the  |
 * |           |                              | late CommentCreated then counts nothing)      |
 * | `counted` | nothing (already counted)    | `deleted`, commentCount - 1                   |
 * | `deleted` | nothing                      | nothing                                       |
 *
 * A marker and its post's counter change together (one transaction), and only
 * on a live post. Markers live as long as their post, so no replay of the
 * archive, however old, can count a comment twice; they go with the post (see
 * `outbox.ts`).
 */
export type CommentMarkerState = 'counted' | 'deleted';

/** The comment an event is about, and the event (its id is kept on the marker it moves, for the logs). */
export interface CommentMark {
  postId: string;
  commentId: string;
  eventId: string;
}

/** What a CommentCreated did: counted it, or nothing because of the marker found or the post being gone. */
export type CountOutcome = 'counted' | 'already-counted' | 'already-deleted' | 'no-post';

/**
 * What a CommentDeleted did: uncounted it, left a tombstone for a comment not
 * counted yet, or nothing (already deleted, or the post is gone).
 */
export type UncountOutcome = 'uncounted' | 'deleted-before-counted' | 'already-deleted' | 'no-post';
