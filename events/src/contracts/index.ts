import { CommentCreatedV1, CommentDeletedV1 } from './comments';
import { PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from './posts';

export * from './comments';
export * from './posts';
export * from './sources';

/** Every contract version still in the field. A new version is added here, beside the old one. */
export const allContracts = [
  PostCreatedV1,
  PostUpdatedV1,
  PostDeletedV1,
  CommentCreatedV1,
  CommentDeletedV1,
] as const;
