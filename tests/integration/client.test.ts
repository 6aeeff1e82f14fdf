import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  type Comment,
  type CommentDeleted,
  type ConnectionState,
  createApiClient,
  createLiveComments,
  type LiveComments,
  type SocketLike,
} from '../../client/src/index';
import { ADMIN_CREDENTIALS } from '../../local-cloud/src/iam';
import { rawCall } from '../../local-cloud/src/iam/testing';
import { eventually, subscribersOf, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const opened: LiveComments[] = [];
afterEach(() => {
  for (const live of opened.splice(0)) live.close();
});

const apiAs = async (user: string) => {
  const anonymous = createApiClient({ apiUrl: cloud().urls.http });
  const { token } = await anonymous.localToken(user);
  return createApiClient({ apiUrl: cloud().urls.http, token: () => token });
};

/** A client whose sockets the test can cut, as a network would, without the client knowing. */
const liveClient = (options: { initialDelayMs?: number } = {}) => {
  const sockets: SocketLike[] = [];
  const states: ConnectionState[] = [];
  const live = createLiveComments({
    websocketUrl: cloud().urls.websocket,
    apiUrl: cloud().urls.http,
    reconnect: { initialDelayMs: options.initialDelayMs ?? 500 },
    random: () => 1,
    socket: (url) => {
      const socket = new WebSocket(url) as unknown as SocketLike;
      sockets.push(socket);
      return socket;
    },
  });
  live.onStateChange((state) => states.push(state));
  opened.push(live);
  return { live, sockets, states };
};

/** A post the comments service already knows (PostCreated reaches it asynchronously). */
const knownPost = async (api: Awaited<ReturnType<typeof apiAs>>) => {
  const post = await api.createPost({ title: 'Client', body: 'Typed client test' });
  await eventually(async () => {
    try {
      return await api.createComment(post.id, 'first');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  });
  return post;
};

const until = (check: () => boolean, timeoutMs = 15_000) =>
  eventually(async () => (check() ? true : undefined), timeoutMs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The connections subscribed to a topic, as the broadcaster finds them (a Query on the edge). */
const subscribers = (topic: string) => subscribersOf(cloud().urls.edge, topic);

/** Drops a connection from the server side, as API Gateway's `@connections` DELETE does. */
const dropConnection = async (connectionId: string) =>
  (
    await rawCall({
      method: 'DELETE',
      url: `${cloud().urls.connections}/@connections/${encodeURIComponent(connectionId)}`,
      sign: ADMIN_CREDENTIALS, // @connections is IAM-authorized: the account admin signs
    })
  ).status;

describe('the typed client on the local cloud', () => {
  it('reads the history, then delivers live comments in seq order, each once', async () => {
    const alice = await apiAs('alice');
    const post = await knownPost(alice);
    const { live } = liveClient();
    const seen: Comment[] = [];
    live.watchPost(post.id, { onComment: (c) => seen.push(c) });
    await until(() => seen.length === 1 && live.state === 'open');
    for (const body of ['second', 'third', 'fourth']) await alice.createComment(post.id, body);
    await until(() => seen.length === 4);
    expect(seen.map((c) => [c.seq, c.body])).toEqual([
      [1, 'first'],
      [2, 'second'],
      [3, 'third'],
      [4, 'fourth'],
    ]);
  });

  it('loses nothing across a dropped connection: what was posted meanwhile is read on reconnect', async () => {
    const alice = await apiAs('alice');
    const bob = await apiAs('bob');
    const post = await knownPost(alice);
    // Long enough for three comments (each also counted against bob's write limit) on a busy machine.
    const { live, sockets, states } = liveClient({ initialDelayMs: 4_000 });
    const seen: number[] = [];
    live.watchPost(post.id, { afterSeq: 1, onComment: (c) => seen.push(c.seq) });
    await until(() => live.state === 'open');
    await bob.createComment(post.id, 'live');
    await until(() => seen.length === 1);

    sockets[0]?.close(); // the network drops it; the client reconnects after 4 s
    await until(() => live.state === 'reconnecting');
    for (const body of ['while', 'away', 'three']) await bob.createComment(post.id, body);
    expect(live.state).toBe('reconnecting'); // so these three can only come from the catch-up read
    await until(() => live.state === 'open' && sockets.length === 2);
    await bob.createComment(post.id, 'back');
    await until(() => seen.length === 5);
    expect(seen).toEqual([2, 3, 4, 5, 6]);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('reports a comment deleted while it was reconnecting once, after the reconnect', async () => {
    const alice = await apiAs('alice');
    const bob = await apiAs('bob');
    const post = await knownPost(alice);
    const doomed = await bob.createComment(post.id, 'deleted while the client is away');
    const gone = await bob.createComment(post.id, 'deleted while the client watches');
    const { live, sockets, states } = liveClient({ initialDelayMs: 4_000 });
    const seen: number[] = [];
    const deleted: CommentDeleted[] = [];
    live.watchPost(post.id, { onComment: (c) => seen.push(c.seq), onDeleted: (d) => deleted.push(d) });
    await until(() => seen.length === 3 && live.state === 'open');
    const [connection] = await eventually(async () => {
      const subscribed = await subscribers(`post:${post.id}`);
      return subscribed.length === 1 ? subscribed : undefined;
    });
    await bob.deleteComment(post.id, gone.id);
    await until(() => deleted.length === 1); // the live frame

    expect(await dropConnection(connection ?? '')).toBe(204); // the client reconnects after 4 s
    await until(() => live.state === 'reconnecting');
    await bob.deleteComment(post.id, doomed.id);
    await sleep(1_500); // its comment.deleted frame is broadcast meanwhile, to nobody
    expect(live.state).toBe('reconnecting'); // so it can only come from the read after the reconnect
    expect(deleted).toHaveLength(1);

    await until(() => live.state === 'open' && sockets.length === 2);
    await until(() => deleted.length === 2);
    await sleep(1_500); // the read also returns the first deletion: it is not reported again
    expect(deleted.map((d) => [d.id, d.seq])).toEqual([
      [gone.id, gone.seq],
      [doomed.id, doomed.seq],
    ]);
    expect(deleted[1]).toEqual({
      id: doomed.id,
      postId: post.id,
      authorId: 'bob',
      seq: doomed.seq,
      deletedAt: expect.any(String),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('feeds toasts from every post, and stops delivering a watch once closed', async () => {
    const alice = await apiAs('alice');
    const post = await knownPost(alice);
    const { live } = liveClient();
    const feed: string[] = [];
    const onPost: number[] = [];
    live.watchFeed({ onComment: (c) => feed.push(c.body) });
    const watch = live.watchPost(post.id, { afterSeq: 1, onComment: (c) => onPost.push(c.seq) });
    await until(() => live.state === 'open');
    // subscribe acknowledgements are asynchronous: wait until a comment reaches both
    await eventually(async () => {
      await alice.createComment(post.id, 'toast');
      return feed.includes('toast') && onPost.length > 0 ? true : undefined;
    });
    watch.close();
    const before = onPost.length;
    await alice.createComment(post.id, 'after close');
    await until(() => feed.includes('after close'));
    expect(onPost).toHaveLength(before);
  });

  it('reports a refused subscription (an invalid post id)', async () => {
    const { live } = liveClient();
    const errors: Error[] = [];
    live.watchPost('not a valid id!', { onComment: () => {}, onError: (error) => errors.push(error) });
    await until(() => errors.length > 0);
    expect(errors[0]).toMatchObject({ name: 'SubscriptionError', code: 'invalid_topic' });
  });

  it('turns API errors into ApiError with the contract code', async () => {
    const alice = await apiAs('alice');
    const post = await knownPost(alice);
    await expect(alice.createComment(post.id, '   ')).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    const anonymous = createApiClient({ apiUrl: cloud().urls.http });
    await expect(anonymous.createComment(post.id, 'hi')).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    await expect(anonymous.getPost('no-such-post')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
