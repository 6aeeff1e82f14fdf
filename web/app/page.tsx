import { PostsPage } from '../src/posts-page';

export default function Home() {
  return <PostsPage />;
}
