import { expect, it } from 'vitest';
import {
  connectionState,
  describeInChromium,
  POLL,
  postPath,
  shownComments,
  signIn,
  sleep,
  waitUntilLive,
} from './support/app';

describeInChromium('the web app when the server drops its WebSocket', (cloud) => {
  it('shows every comment made while it was reconnecting, once and in seq order, drops one deleted meanwhile, and goes live again', async () => {
    const alice = await cloud.http('alice');
    const bob = await cloud.http('bob');
    const post = await alice.createPost('Stay with me');
    const before = await bob.comment(post.id, 'before the drop');
    const doomed = await bob.comment(post.id, 'deleted while away');
    const page = await cloud.open(postPath(post.id));
    await signIn(page, 'alice');
    await waitUntilLive(page);
    const shownBefore = [
      [before.seq, 'before the drop'],
      [doomed.seq, 'deleted while away'],
    ];
    await expect.poll(() => shownComments(page), POLL).toEqual(shownBefore);
    const connection = await cloud.liveSubscriber(`post:${post.id}`);

    // The browser's network goes down (so it cannot come back before we say), then
    // API Gateway drops its connection: the page is told by the close, the server never hears back.
    await page.context().setOffline(true);
    expect(await cloud.dropConnection(connection)).toBe(204);
    await expect.poll(() => connectionState(page), POLL).toBe('reconnecting');

    const missed = [];
    for (const n of [1, 2, 3]) missed.push(await bob.comment(post.id, `while away ${n}`));
    await bob.deleteComment(post.id, doomed.id); // its comment.deleted frame reaches no one
    await sleep(1_000); // the broadcasts are done: none reached the page
    expect(await connectionState(page)).toBe('reconnecting');
    expect(await shownComments(page)).toEqual(shownBefore);

    await page.context().setOffline(false);
    await waitUntilLive(page);
    const expected = [before, ...missed].map((comment): [number, string] => [comment.seq, comment.body]);
    await expect.poll(() => shownComments(page), POLL).toEqual(expected);
    expect(expected.map(([seq]) => seq)).toEqual([1, 3, 4, 5]);
    expect(await page.getByTestId('comment-count').textContent()).toBe('4 comments');
    // A new connection, subscribed again; nothing shows twice once live frames flow again.
    const resubscribed = async () => {
      const now = await cloud.subscribers(`post:${post.id}`);
      return now.length === 1 && now[0] !== connection;
    };
    await expect.poll(resubscribed, POLL).toBe(true);
    const after = await bob.comment(post.id, 'back live');
    await expect.poll(() => shownComments(page), POLL).toEqual([...expected, [after.seq, 'back live']]);
    await sleep(1_500);
    expect(await shownComments(page)).toEqual([...expected, [after.seq, 'back live']]);
    expect(await connectionState(page)).toBe('open');
  });

  it('shows every comment once when comments race the reconnect', async () => {
    const bob = await cloud.http('bob');
    const post = await (await cloud.http('alice')).createPost('Racing');
    await bob.comment(post.id, 'first');
    const page = await cloud.open(postPath(post.id));
    await waitUntilLive(page);
    await expect.poll(() => shownComments(page), POLL).toHaveLength(1);

    const connection = await cloud.liveSubscriber(`post:${post.id}`);
    // No network outage: the page reconnects within half a second, while the comments are being made.
    const drop = cloud.dropConnection(connection);
    const comments = await Promise.all([1, 2, 3, 4, 5].map((n) => bob.comment(post.id, `racing ${n}`)));
    expect(await drop).toBe(204);

    const expected = [
      [1, 'first'],
      ...comments.map((c): [number, string] => [c.seq, c.body]).sort(([a], [b]) => a - b),
    ];
    await expect.poll(() => shownComments(page), POLL).toEqual(expected);
    await waitUntilLive(page);
    await sleep(1_500);
    expect(await shownComments(page)).toEqual(expected);
  });
});
