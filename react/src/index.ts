export { type CommentList, emptyList, withComment, withoutComment } from './comment-list';
export { useConnectionState } from './connection-state';
export { useFeed } from './feed';
export { type PostState, type UsePost, usePost } from './post';
export { type PostComments, type PostCommentsOptions, usePostComments } from './post-comments';
export {
  type ClientOptions,
  type LiveCommentsContextValue,
  LiveCommentsProvider,
  type LiveCommentsProviderProps,
  useLiveComments,
} from './provider';
