import { ApiError, type Post } from '@live-comments/client';
import { useCallback, useEffect, useState } from 'react';
import { useLiveComments } from './provider';

export type PostState =
  | { status: 'loading'; post?: undefined; error?: undefined }
  | { status: 'ready'; post: Post; error?: undefined }
  /** The API answered 404. */
  | { status: 'missing'; post?: undefined; error?: undefined }
  | { status: 'error'; post?: undefined; error: unknown };

export type UsePost = PostState & {
  /** Reads the post again (for example its counts after favoriting it); resolves once shown. */
  refresh(): Promise<void>;
};

const stateOf = async (read: () => Promise<Post>): Promise<PostState> => {
  try {
    return { status: 'ready', post: await read() };
  } catch (error) {
    return error instanceof ApiError && error.status === 404
      ? { status: 'missing' }
      : { status: 'error', error };
  }
};

/** One post over HTTP (`GET /api/v1/posts/{id}`): loading, ready, missing (404) or error. */
export const usePost = (postId: string): UsePost => {
  const { api } = useLiveComments();
  const [state, setState] = useState<PostState & { postId: string }>({ postId, status: 'loading' });

  useEffect(() => {
    let current = true;
    void stateOf(() => api.getPost(postId)).then((next) => {
      // A read for another post (or a strict-mode double) that answers late changes nothing.
      if (current) setState({ ...next, postId });
    });
    return () => {
      current = false;
    };
  }, [api, postId]);

  const refresh = useCallback(async () => {
    const next = await stateOf(() => api.getPost(postId));
    setState((shown) => (shown.postId === postId ? { ...next, postId } : shown));
  }, [api, postId]);

  const { postId: shownFor, ...shown } = state;
  return { ...(shownFor === postId ? shown : { status: 'loading' }), refresh };
};
