import type { FunctionPermissions, NotGranted } from '@live-comments/shared/permissions';

/** createPost: the post with its outbox slot (Put), the slot emptied once PostCreated is out (Update). */
export const permissions: FunctionPermissions = {
  PostsTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  EventBus: ['events:PutEvents'],
};

/**
 * The outbox's PostDeleted path (the comment markers' removal, the tombstone's
 * deletion), reached through announce, which every post write shares, but never
 * run here: a new post owes PostCreated.
 */
const POST_DELETED_PATH = 'only a PostDeleted removes comment markers and deletes the tombstone';
export const notGranted: NotGranted = {
  'dynamodb:DeleteItem': POST_DELETED_PATH,
  'dynamodb:Query': POST_DELETED_PATH,
  'dynamodb:BatchWriteItem': POST_DELETED_PATH,
};
