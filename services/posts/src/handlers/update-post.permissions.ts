import type { FunctionPermissions, NotGranted } from '@live-comments/shared/permissions';

/** updatePost: the author's write (Update; a refused one is read to tell why), PostUpdated, the slot emptied. */
export const permissions: FunctionPermissions = {
  PostsTable: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
  EventBus: ['events:PutEvents'],
};

/**
 * The outbox's PostDeleted path (the comment markers' removal, the tombstone's
 * deletion), reached through announce, which every post write shares, but never
 * run here: a deleted post refuses updates, so an update owes PostCreated or PostUpdated.
 */
const POST_DELETED_PATH = 'only a PostDeleted removes comment markers and deletes the tombstone';
export const notGranted: NotGranted = {
  'dynamodb:DeleteItem': POST_DELETED_PATH,
  'dynamodb:Query': POST_DELETED_PATH,
  'dynamodb:BatchWriteItem': POST_DELETED_PATH,
};
