/** @vitest-environment happy-dom */
import type { Comment } from '@live-comments/client';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { useConnectionState } from './connection-state';
import { useFeed } from './feed';
import { usePost } from './post';
import { usePostComments } from './post-comments';
import { LiveCommentsProvider } from './provider';
import { acknowledge, comment, createdFrame, fakeServer, post, subscribedTopics } from './testing';

afterEach(cleanup);

const Comments = ({ postId, testId = 'comments' }: { postId: string; testId?: string }) => {
  const { comments } = usePostComments(postId);
  return (
    <ol data-testid={testId}>
      {comments.map((c) => (
        <li key={c.id}>{`${c.seq}:${c.body}`}</li>
      ))}
    </ol>
  );
};
const State = () => <p data-testid="state">{useConnectionState()}</p>;

interface PageHandles {
  add?: (comment: Comment) => void;
  switchTo?: (postId: string) => void;
}
/** A page that can switch posts and add its own comment, as the web app's post page does. */
const Page = ({ handles }: { handles: PageHandles }) => {
  const [postId, setPostId] = useState('p1');
  const { comments, add } = usePostComments(postId);
  handles.add = add;
  handles.switchTo = setPostId;
  return (
    <ol data-testid="comments">
      {comments.map((c) => (
        <li key={c.id}>{`${c.seq}:${c.body}`}</li>
      ))}
    </ol>
  );
};
const Toasts = ({ label, seen }: { label: string; seen: string[] }) => {
  useFeed((c) => seen.push(`${label} ${c.body}`));
  return null;
};
const Show = ({ postId, handles }: { postId: string; handles: { refresh?: () => Promise<void> } }) => {
  const state = usePost(postId);
  handles.refresh = state.refresh;
  return (
    <p data-testid="post">
      {state.status === 'ready' ? `${state.post.title} ${state.post.favoriteCount}` : state.status}
    </p>
  );
};

/** The app under test in strict mode (effects run twice, as in development). */
const app = (server: ReturnType<typeof fakeServer>, children: React.ReactNode) => (
  <StrictMode>
    <LiveCommentsProvider apiUrl="http://api.test" websocketUrl="ws://ws.test" options={server.options}>
      {children}
    </LiveCommentsProvider>
  </StrictMode>
);
const mount = (server: ReturnType<typeof fakeServer>, children: React.ReactNode) =>
  render(app(server, children));

const shown = (testId = 'comments') => [...screen.getByTestId(testId).children].map((li) => li.textContent);

describe('usePostComments', () => {
  it('shows the history, then live comments, each once and in seq order, on one connection under strict mode', async () => {
    const server = fakeServer();
    server.stored.set('p1', [comment(1), comment(2)]);
    mount(server, <Comments postId="p1" />);
    await waitFor(() => expect(shown()).toEqual(['1:comment 1', '2:comment 2']));
    // Strict mode made (and closed) a client that never connected: one socket.
    expect(server.sockets).toHaveLength(1);
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    act(() => {
      server.socket().frame(createdFrame(comment(3)));
      server.socket().frame(createdFrame(comment(3))); // SQS delivers at least once
      server.socket().frame(createdFrame(comment(2)));
    });
    await waitFor(() => expect(shown()).toEqual(['1:comment 1', '2:comment 2', '3:comment 3']));
  });

  it('shares one subscription between the components watching one post', async () => {
    const server = fakeServer();
    server.stored.set('p1', [comment(1)]);
    mount(
      server,
      <>
        <Comments postId="p1" testId="a" />
        <Comments postId="p1" testId="b" />
      </>,
    );
    await waitFor(() => expect(server.sockets).toHaveLength(1));
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    act(() => server.socket().frame(createdFrame(comment(2))));
    await waitFor(() => expect(shown('a')).toEqual(['1:comment 1', '2:comment 2']));
    expect(shown('b')).toEqual(['1:comment 1', '2:comment 2']);
    // Two components, each effect run twice by strict mode: one subscribe frame for the topic.
    expect(subscribedTopics(server.socket())).toEqual(['post:p1']);
  });

  it('takes a deleted comment away for good, and shows what came while reconnecting once', async () => {
    const server = fakeServer();
    server.stored.set('p1', [comment(1), comment(2)]);
    mount(server, <Comments postId="p1" />);
    await waitFor(() => expect(shown()).toHaveLength(2));
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    act(() =>
      server.socket().frame({
        type: 'comment.deleted',
        topic: 'post:p1',
        eventId: 'd1',
        data: { id: 'c1', postId: 'p1', authorId: 'bob', seq: 1, deletedAt: new Date().toISOString() },
      }),
    );
    await waitFor(() => expect(shown()).toEqual(['2:comment 2']));

    // The connection drops; two comments are made meanwhile, and read after the reconnect.
    act(() => server.socket().drop());
    server.stored.set('p1', [comment(1), comment(2), comment(3), comment(4)]);
    await waitFor(() => expect(server.sockets).toHaveLength(2));
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    await waitFor(() => expect(shown()).toEqual(['2:comment 2', '3:comment 3', '4:comment 4']));
    expect(
      server.reads.filter((read) => read.startsWith('/api/v1/posts/p1/comments?')).length,
    ).toBeGreaterThan(1);
  });

  it('adds one’s own comment at once and does not show its live copy again; a new post starts empty', async () => {
    const server = fakeServer();
    server.stored.set('p1', [comment(1)]);
    server.stored.set('p2', [comment(7, 'p2')]);
    const page: PageHandles = {};
    mount(server, <Page handles={page} />);
    await waitFor(() => expect(shown()).toEqual(['1:comment 1']));
    act(() => page.add?.(comment(2)));
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    act(() => server.socket().frame(createdFrame(comment(2))));
    expect(shown()).toEqual(['1:comment 1', '2:comment 2']);
    act(() => page.switchTo?.('p2'));
    await waitFor(() => expect(shown()).toEqual(['7:comment 7']));
  });
});

describe('useConnectionState', () => {
  it('follows the connection: connecting, open, reconnecting, open; closed sockets once unmounted', async () => {
    const server = fakeServer();
    const view = mount(server, <State />);
    expect(screen.getByTestId('state').textContent).toBe('connecting');
    await waitFor(() => expect(server.sockets).toHaveLength(1));
    act(() => server.socket().open());
    expect(screen.getByTestId('state').textContent).toBe('open');
    act(() => server.socket().drop());
    expect(screen.getByTestId('state').textContent).toBe('reconnecting');
    await waitFor(() => expect(server.sockets).toHaveLength(2));
    act(() => server.socket().open());
    expect(screen.getByTestId('state').textContent).toBe('open');
    view.unmount();
    expect(server.socket().closedByClient).toBe(true);
  });
});

describe('useFeed', () => {
  it('calls the latest callback once per new comment on any post, on one feed subscription', async () => {
    const server = fakeServer();
    const seen: string[] = [];
    const view = mount(server, <Toasts label="first" seen={seen} />);
    await waitFor(() => expect(server.sockets).toHaveLength(1));
    act(() => server.socket().open());
    act(() => acknowledge(server.socket()));
    act(() => server.socket().frame(createdFrame(comment(1, 'p9'), 'feed')));
    view.rerender(app(server, <Toasts label="second" seen={seen} />));
    act(() => {
      server.socket().frame(createdFrame(comment(2, 'p9'), 'feed'));
      server.socket().frame(createdFrame(comment(2, 'p9'), 'feed')); // the same event again
    });
    expect(seen).toEqual(['first comment 1', 'second comment 2']);
    expect(subscribedTopics(server.socket())).toEqual(['feed']);
  });
});

describe('usePost', () => {
  it('reads a post, says when it is missing, and reads it again on refresh', async () => {
    const server = fakeServer();
    server.posts.set('p1', post('p1'));
    const shownPost: { refresh?: () => Promise<void> } = {};
    const view = mount(server, <Show postId="p1" handles={shownPost} />);
    expect(screen.getByTestId('post').textContent).toBe('loading');
    await waitFor(() => expect(screen.getByTestId('post').textContent).toBe('Post p1 0'));
    server.posts.set('p1', { ...post('p1'), favoriteCount: 1 });
    await act(() => shownPost.refresh?.());
    expect(screen.getByTestId('post').textContent).toBe('Post p1 1');
    view.rerender(app(server, <Show postId="nope" handles={shownPost} />));
    await waitFor(() => expect(screen.getByTestId('post').textContent).toBe('missing'));
  });
});
