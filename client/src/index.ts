export { type ApiClient, type ApiClientOptions, ApiError, createApiClient, type ListOptions } from './http';
export {
  type CloseInfo,
  type ConnectionState,
  createLiveComments,
  type FeedWatchOptions,
  type LiveComments,
  type LiveCommentsOptions,
  type PostWatchOptions,
  type SocketFactory,
  type SocketLike,
  SubscriptionError,
  type Watch,
} from './live';
export type { ClientFrame, Comment, CommentDeleted, Page, Post, ServerFrame, Topic } from './types';
