/**
 * `npm run screenshot`: docs/screenshots/post-page.png, the post page with
 * live comments (and a toast of a comment on another post), made on a local
 * cloud of its own (free ports) in Debian's headless Chromium. Rerun it after
 * changing how the app looks.
 */
import { join, resolve } from 'node:path';
import { ApiError, createApiClient } from '../../client/src/index';
import { startLocalCloud } from '../../local-cloud/src/index';
import { eventually } from '../integration/support/cloud';
import { chromiumPath, launchChromium } from './support/chromium';

const out = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'post-page.png');
const executablePath = chromiumPath();
if (!executablePath) process.exit(1);

const cloud = await startLocalCloud({ ports: 'free', logs: 'off' });
const browser = await launchChromium(executablePath);
try {
  const as = async (user: string) => {
    const { token } = await createApiClient({ apiUrl: cloud.urls.http }).localToken(user);
    return { api: createApiClient({ apiUrl: cloud.urls.http, token: () => token }), token };
  };
  /** Retries while the comments service has not yet heard of the post (PostCreated is asynchronous). */
  const comment = (api: Awaited<ReturnType<typeof as>>['api'], postId: string, body: string) =>
    eventually(() =>
      api.createComment(postId, body).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }),
    );
  const alice = await as('alice');
  const bob = await as('bob');
  const carol = await as('carol');
  const other = await alice.api.createPost({ title: 'Release notes', body: 'What shipped this week.' });
  const post = await alice.api.createPost({
    title: 'Live comments on Next.js',
    body: 'The web app now runs on Next.js with @live-comments/react. Comment below: everyone on this page sees it at once.',
  });
  await comment(bob.api, post.id, 'Works here: my comment showed up in the other window straight away.');
  await comment(carol.api, post.id, 'Reconnects too: I dropped my Wi-Fi and nothing was missing afterwards.');

  const context = await browser.newContext({
    baseURL: cloud.urls.web,
    viewport: { width: 900, height: 860 },
  });
  await context.addInitScript(`localStorage.setItem('live-comments.token', ${JSON.stringify(alice.token)})`);
  const page = await context.newPage();
  await page.goto(`/post/?id=${encodeURIComponent(post.id)}`);
  await page.locator('[data-testid="connection-status"][data-state="open"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('comment').nth(1).waitFor();
  // Live, while the page is open: a comment here, and one on another post (a toast).
  await eventually(async () =>
    (await fetch(`${cloud.urls.http}/api/v1/websocket/connections`)).ok ? true : undefined,
  );
  await comment(bob.api, post.id, 'And this one arrived while the page was open, without a reload.');
  await page.getByTestId('comment').nth(2).waitFor({ timeout: 15_000 });
  await comment(carol.api, other.id, 'Nice list!');
  await page.getByTestId('toast').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(600); // the toast's entrance animation
  await page.screenshot({ path: out });
  console.log(`wrote ${join('docs', 'screenshots', 'post-page.png')}`);
} finally {
  await browser.close();
  await cloud.stop();
}
