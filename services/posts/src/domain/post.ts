import type { Post } from '@live-comments/events/http';
import { isDeliverableText, UNDELIVERABLE_TEXT_MESSAGE } from '@live-comments/shared';
import { z } from 'zod';

/**
 * Limits of a post, checked on every write. Both fields are trimmed first, so a
 * title of spaces is empty. 200 characters fit a heading; 10 000 characters are
 * a long article and stay far below the HTTP kit's 64 KiB body limit even in
 * 4-byte UTF-8, and below DynamoDB's 400 KB item limit.
 */
export const TITLE_MAX_CHARS = 200;
export const BODY_MAX_CHARS = 10_000;

/** A trimmed, non-empty text field of at most `max` characters that AWS can carry to the subscribers. */
const textField = (name: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `The ${name} must not be empty.`)
    .max(max, `The ${name} has at most ${max} characters.`)
    .refine(isDeliverableText, `The ${name} ${UNDELIVERABLE_TEXT_MESSAGE}.`);
const title = textField('title', TITLE_MAX_CHARS);
const body = textField('body', BODY_MAX_CHARS);

/** `POST /api/v1/posts`. Unknown fields are refused, so a typo is a 400 instead of being silently dropped. */
export const newPostBody = z.strictObject({ title, body });

/** `PATCH /api/v1/posts/{postId}`: title, body or both; an empty patch is a 400. */
export const postPatchBody = z
  .strictObject({ title: title.optional(), body: body.optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, {
    message: 'Send a title, a body or both.',
  });

/** Post ids are generated here (UUIDs); anything outside this shape cannot name a post. */
export const postId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a post id.');
export const postPath = z.object({ postId });

/** The Post of API.md, declared once with the contracts. */
export type { Post };

export type PostEventType = 'PostCreated' | 'PostUpdated' | 'PostDeleted';

/** The fact a post row still has to announce (its outbox slot). */
export interface PendingEvent {
  eventId: string;
  type: PostEventType;
  occurredAt: string;
  correlationId: string;
}

/** A post as stored: the post, its deletion mark (a tombstone until PostDeleted is out) and its outbox slot. */
export interface StoredPost {
  post: Post;
  deletedAt?: string;
  pending?: PendingEvent;
}

/** What a write only the author may make did. */
export type AuthorWriteOutcome =
  | { outcome: 'written'; stored: StoredPost }
  | { outcome: 'not_found' }
  | { outcome: 'forbidden' }
  | { outcome: 'conflict' };

export type PostCounter = 'commentCount' | 'favoriteCount';
