import { expect, it } from 'vitest';
import {
  describeInChromium,
  POLL,
  postPath,
  shownBodies,
  shownComments,
  signIn,
  sleep,
  waitUntilLive,
} from './support/app';

describeInChromium('the web app in Chromium', (cloud) => {
  it('serves the page and a config that points at this cloud, whose CORS and Origin allowlists admit it', async () => {
    const { urls, topology } = cloud();
    const config = await (await fetch(`${urls.web}/config.json`)).json();
    expect(config).toEqual({ apiUrl: urls.http, websocketUrl: urls.websocket, localSignIn: true });
    // The Next.js app's page: its scripts are the static export's content-hashed chunks.
    expect(await (await fetch(urls.web)).text()).toMatch(/<script src="\/_next\/static\/chunks\/[\w-]+\.js"/);
    // The stacks allow http://localhost:3000; this cloud's web app is on a free port.
    for (const api of topology.httpApis) expect(api.cors?.allowedOrigins).toEqual([urls.web]);
    const connect = topology.functions.find((fn) => fn.key === 'connections.connect');
    expect(connect?.environment.ALLOWED_ORIGINS).toBe(urls.web);
  });

  it('shows a comment made elsewhere on the open post at once, exactly once, without a reload', async () => {
    const alice = await cloud.open();
    await signIn(alice, 'alice');
    const title = `Hello ${Date.now()}`;
    await alice.getByTestId('post-title-input').fill(title);
    await alice.getByTestId('post-body-input').fill('First post, from the browser');
    await alice.getByTestId('post-submit').click();
    await alice.getByTestId('post-item').filter({ hasText: title }).getByTestId('post-link').click();
    await expect.poll(() => alice.getByTestId('post-title').textContent(), POLL).toBe(title);
    await waitUntilLive(alice);
    const postId = (await alice.getByTestId('post').getAttribute('data-post-id')) ?? '';
    await alice.evaluate('window.notReloaded = true');

    // Bob, in a browser of his own.
    const bob = await cloud.open(postPath(postId));
    await signIn(bob, 'bob');
    await cloud.http('bob').then((api) => api.comment(postId, 'warming up')); // the post has reached the comments service
    await bob.getByTestId('comment-input').fill('Nice one, alice');
    await bob.getByTestId('comment-submit').click();

    await expect.poll(() => shownBodies(alice), POLL).toEqual(['warming up', 'Nice one, alice']);
    await sleep(1_500); // a duplicate frame or catch-up would have shown by now
    expect(await shownComments(alice)).toEqual([
      [1, 'warming up'],
      [2, 'Nice one, alice'],
    ]);
    expect(await alice.evaluate('window.notReloaded')).toBe(true);
    expect(await alice.getByTestId('comment-count').textContent()).toBe('2 comments');
  });

  it('toasts a new comment on any post to a page on the posts list', async () => {
    const post = await (await cloud.http('alice')).createPost('Toast me');
    const known = await cloud.subscribers('feed');
    const carol = await cloud.open('/');
    await waitUntilLive(carol);
    await cloud.newSubscriber('feed', known);

    await (await cloud.http('bob')).comment(post.id, 'Anyone here?');

    const toast = carol.getByTestId('toast').filter({ hasText: 'Anyone here?' });
    await toast.waitFor({ timeout: POLL.timeout });
    expect(await toast.textContent()).toContain('bob commented');
    await toast.getByTestId('toast-link').click();
    await expect.poll(() => carol.getByTestId('post-title').textContent(), POLL).toBe('Toast me');
    await expect.poll(() => shownBodies(carol), POLL).toEqual(['Anyone here?']);
  });

  it('shows the API’s error when a comment is refused, and a missing post as such', async () => {
    const post = await (await cloud.http('alice')).createPost('Say something');
    const alice = await cloud.open(postPath(post.id));
    await signIn(alice, 'alice');
    await alice.getByTestId('comment-submit').click();

    const error = alice.getByTestId('error');
    await error.waitFor({ timeout: POLL.timeout });
    expect(await error.getByTestId('error-code').textContent()).toBe('validation_failed');
    expect(await error.getByTestId('error-message').textContent()).toMatch(/invalid|empty/i); // or the details, once the client passes them on
    expect(await shownComments(alice)).toEqual([]);

    await alice.goto(postPath('no-such-post'));
    await alice.getByTestId('post-missing').waitFor({ timeout: POLL.timeout });
  });

  it('favorites a post and takes it back, and deletes one’s own comment everywhere', async () => {
    const post = await (await cloud.http('alice')).createPost('Keep this');
    await (await cloud.http('bob')).comment(post.id, 'from bob');
    const alice = await cloud.open(postPath(post.id));
    await signIn(alice, 'alice');
    const favorite = alice.getByTestId('favorite');
    await expect.poll(() => shownBodies(alice), POLL).toEqual(['from bob']);

    await favorite.click();
    await expect.poll(() => favorite.getAttribute('aria-pressed'), POLL).toBe('true');
    expect(await alice.getByTestId('favorite-count').textContent()).toBe('1');
    await alice.reload(); // the state comes from the API (GET /me/favorites), not from the page
    await expect.poll(() => favorite.getAttribute('aria-pressed'), POLL).toBe('true');
    await favorite.click();
    await expect.poll(() => favorite.getAttribute('aria-pressed'), POLL).toBe('false');
    expect(await alice.getByTestId('favorite-count').textContent()).toBe('0');

    const bob = await cloud.open(postPath(post.id));
    await waitUntilLive(bob);
    await alice.getByTestId('comment-input').fill('from alice, soon gone');
    await alice.getByTestId('comment-submit').click();
    await expect.poll(() => shownBodies(bob), POLL).toEqual(['from bob', 'from alice, soon gone']);
    const comment = (text: string) => alice.getByTestId('comment').filter({ hasText: text });
    // Only one's own comments can be deleted.
    expect(await comment('from bob').getByTestId('comment-delete').count()).toBe(0);
    const deleted = alice.waitForResponse(
      (response) => response.request().method() === 'DELETE' && response.url().includes('/comments/'),
      { timeout: POLL.timeout },
    );
    await comment('from alice').getByTestId('comment-delete').click();
    expect((await deleted).status()).toBe(204);
    await expect.poll(() => shownBodies(alice), POLL).toEqual(['from bob']);
    await expect.poll(() => shownBodies(bob), POLL).toEqual(['from bob']);
  });

  it('lists posts newest first, a page at a time', async () => {
    const alice = await cloud.http('alice');
    const stamp = Date.now();
    for (let n = 1; n <= 21; n++) await alice.createPost(`Paged ${stamp} #${n}`);
    const page = await cloud.open('/');
    const paged = () =>
      page
        .getByTestId('post-link')
        .filter({ hasText: `Paged ${stamp}` })
        .allTextContents();
    const numbers = async () => (await paged()).map((title) => Number(title.split('#')[1]));

    // 20 a page: the newest 20 of them (the other tests' posts are older).
    await expect.poll(numbers, POLL).toEqual(Array.from({ length: 20 }, (_, i) => 21 - i));
    await page.getByTestId('load-more').click();
    await expect.poll(numbers, POLL).toEqual(Array.from({ length: 21 }, (_, i) => 21 - i));
  });
});
