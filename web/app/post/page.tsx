import { Suspense } from 'react';
import { PostRoute } from '../../src/post-route';

/** `/post/?id=<postId>`: one static page for every post, the id read in the browser. */
export default function PostPageRoute() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <PostRoute />
    </Suspense>
  );
}
