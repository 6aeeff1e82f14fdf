'use client';
import { useSearchParams } from 'next/navigation';
import { PostMissing, PostPage } from './post-page';

/** The post named by `?id=`; a new id is a new page (all its state starts afresh). */
export function PostRoute() {
  const postId = useSearchParams().get('id');
  if (!postId) return <PostMissing />;
  return <PostPage key={postId} postId={postId} />;
}
