import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, POLL, postPath, shownBodies, signIn, waitUntilLive } from './support/app';

/** axe-core's violations of impact serious or critical, one line each (rule, help, where). */
const seriousViolations = async (page: Page) => {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}, at ${violation.nodes.map((node) => node.target.join(' ')).join('; ')}`,
    );
};

/** The element that has the keyboard's focus, by its data-testid, and its text. */
const focused = (page: Page): Promise<{ testId: string; text: string }> =>
  page.evaluate(
    "({ testId: document.activeElement?.getAttribute('data-testid') ?? '', text: document.activeElement?.textContent ?? '' })",
  );

/** Presses Tab until the focus is on the element with `testId` (and `text`, when given). */
const tabTo = async (page: Page, testId: string, text?: string) => {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.testId === testId && (text === undefined || now.text === text)) return;
  }
  throw new Error(`Tab never reached ${testId}${text ? ` "${text}"` : ''}`);
};

describeInChromium('the web app’s accessibility', (cloud) => {
  it('has no serious or critical axe violations on the posts list, signed out, signed in and with a toast', async () => {
    await (await cloud.http('alice')).createPost('Accessible post', 'Read by everyone');
    const page = await cloud.open('/');
    await page.getByTestId('post-item').first().waitFor({ timeout: POLL.timeout });
    await waitUntilLive(page);
    expect(await seriousViolations(page)).toEqual([]);
    await signIn(page, 'alice');
    await page.getByTestId('new-post-form').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // And with a toast in the corner.
    const post = await (await cloud.http('alice')).createPost('Toasted', 'For the feed');
    const known = await cloud.subscribers('feed');
    await page.reload();
    await waitUntilLive(page);
    await cloud.newSubscriber('feed', known);
    await (await cloud.http('bob')).comment(post.id, 'a toast to check');
    await page
      .getByTestId('toast')
      .filter({ hasText: 'a toast to check' })
      .waitFor({ timeout: POLL.timeout });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('has no serious or critical axe violations on a post page with live comments, and on its error banner', async () => {
    const post = await (await cloud.http('alice')).createPost('A post with comments', 'Comment away');
    await (await cloud.http('bob')).comment(post.id, 'from bob');
    await (await cloud.http('alice')).comment(post.id, 'from alice, deletable');
    const page = await cloud.open(postPath(post.id));
    await signIn(page, 'alice');
    await waitUntilLive(page);
    await expect.poll(() => shownBodies(page), POLL).toEqual(['from bob', 'from alice, deletable']);
    await page.getByTestId('comment-delete').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('comment-submit').click(); // an empty comment: the API's error in the banner
    await page.getByTestId('error').waitFor({ timeout: POLL.timeout });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('works with the keyboard alone: sign in, write a post, open it and comment', async () => {
    const page = await cloud.open('/');
    await tabTo(page, 'sign-in-name');
    await page.keyboard.type('kim');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('user').textContent(), POLL).toBe('kim');

    const title = `Typed ${Date.now()}`;
    await tabTo(page, 'post-title-input');
    await page.keyboard.type(title);
    await tabTo(page, 'post-body-input');
    await page.keyboard.type('Written without a mouse');
    await tabTo(page, 'post-submit');
    await page.keyboard.press('Enter');
    await page.getByTestId('post-link').filter({ hasText: title }).waitFor({ timeout: POLL.timeout });

    await tabTo(page, 'post-link', title);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('post-title').textContent(), POLL).toBe(title);
    await waitUntilLive(page);
    const postId = (await page.getByTestId('post').getAttribute('data-post-id')) ?? '';
    await (await cloud.http('bob')).comment(postId, 'warming up'); // the post has reached the comments service
    await expect.poll(() => shownBodies(page), POLL).toEqual(['warming up']);

    await tabTo(page, 'comment-input');
    await page.keyboard.type('typed, not clicked');
    await tabTo(page, 'comment-submit');
    await page.keyboard.press('Enter');
    await expect.poll(() => shownBodies(page), POLL).toEqual(['warming up', 'typed, not clicked']);
  });
});
