import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { ApiError, createApiClient } from '../../../client/src/index';
import { ADMIN_CREDENTIALS } from '../../../local-cloud/src/iam';
import { rawCall } from '../../../local-cloud/src/iam/testing';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/src/index';
import { eventually, subscribersOf } from '../../integration/support/cloud';
import { chromiumPath, launchChromium } from './chromium';

/**
 * One local cloud on free ports (its web app included) and one headless
 * Chromium per test file; each user of a test gets a browser context of
 * their own (own localStorage, own WebSocket).
 */
export const useBrowserSuite = (executablePath: string) => {
  let cloud: LocalCloud | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    // Side by side; whichever started is kept, so afterAll stops it even if the other failed.
    const [started, launched] = await Promise.allSettled([
      startLocalCloud({ ports: 'free', logs: process.env.LC_TEST_LOGS ? 'pretty' : 'off' }),
      launchChromium(executablePath),
    ]);
    if (started.status === 'fulfilled') cloud = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
  });
  // Every test starts with no page open: a page left over would hold its subscriptions.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });
  const current = () => {
    if (!cloud) throw new Error('the local cloud is not running');
    return cloud;
  };

  /** A new browser (context) on the web app's page `path`, e.g. `postPath(<id>)`. */
  const open = async (path = '/'): Promise<Page> => {
    if (!browser) throw new Error('Chromium is not running');
    const context = await browser.newContext({ baseURL: current().urls.web });
    contexts.push(context);
    const page = await context.newPage();
    // The page's own failures belong in the test's output.
    page.on('pageerror', (error) => console.error(`[page] ${error.stack ?? error.message}`));
    page.on('console', (message) => {
      // Cut short: a refused WebSocket's message carries the whole URL, token included.
      if (message.type() === 'error') console.error(`[page console] ${message.text().slice(0, 160)}`);
    });
    await page.goto(path);
    return page;
  };

  /** The HTTP API as `user` would call it (for the other side of a test), through the typed client. */
  const http = async (user: string) => {
    const apiUrl = current().urls.http;
    const { token } = await createApiClient({ apiUrl }).localToken(user);
    const api = createApiClient({ apiUrl, token: () => token });
    return {
      createPost: (title: string, body = 'Written by a test') => api.createPost({ title, body }),
      /** Retries while the comments service has not yet heard of the post (PostCreated is asynchronous). */
      comment: (postId: string, body: string) =>
        eventually(() =>
          api.createComment(postId, body).catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 404) return undefined;
            throw error;
          }),
        ),
      deleteComment: (postId: string, commentId: string) => api.deleteComment(postId, commentId),
    };
  };

  /** The WebSocket connections subscribed to a topic, as the broadcaster finds them (Query, never Scan). */
  const subscribers = (topic: string) => subscribersOf(current().urls.edge, topic);

  /** Waits until a connection not in `known` subscribes to `topic` (a page that just opened), and returns it. */
  const newSubscriber = (topic: string, known: string[]) =>
    eventually(async () => (await subscribers(topic)).find((id) => !known.includes(id)));

  /** Whether a connection is open, as `@connections` GET (GetConnection) says: 200, or 410 once gone. */
  const isOpen = async (connectionId: string) =>
    (
      await rawCall({
        method: 'GET',
        url: `${current().urls.connections}/@connections/${encodeURIComponent(connectionId)}`,
        sign: ADMIN_CREDENTIALS,
      })
    ).status === 200;

  /**
   * The one open connection subscribed to the topic, once there is exactly
   * one: a page shows its history before its subscription is in place, and a
   * connection it replaced may still be listed until its $disconnect ran.
   */
  const liveSubscriber = (topic: string) =>
    eventually(async () => {
      const open = [];
      for (const id of await subscribers(topic)) if (await isOpen(id)) open.push(id);
      return open.length === 1 ? open[0] : undefined;
    });

  /** Drops a connection from the server side: the `@connections` DELETE API Gateway offers. */
  const dropConnection = async (connectionId: string) => {
    const response = await rawCall({
      method: 'DELETE',
      url: `${current().urls.connections}/@connections/${encodeURIComponent(connectionId)}`,
      sign: ADMIN_CREDENTIALS,
    });
    return response.status;
  };

  return Object.assign(current, { open, http, subscribers, newSubscriber, liveSubscriber, dropConnection });
};

// What the page shows, read through its data-testid attributes.

/** A post's page in the web app (one static page for every post, the id in the query). */
export const postPath = (postId: string) => `/post/?id=${encodeURIComponent(postId)}`;

/** How long `expect.poll` waits for the page: a comment crosses the bus, a queue and a Lambda first. */
export const POLL = { timeout: 15_000, interval: 100 };

export const signIn = async (page: Page, user: string) => {
  await page.getByTestId('sign-in-name').fill(user);
  await page.getByTestId('sign-in').click();
  await expect.poll(() => page.getByTestId('user').textContent(), POLL).toBe(user);
};

export const connectionState = (page: Page) =>
  page.getByTestId('connection-status').getAttribute('data-state');

export const waitUntilLive = (page: Page) => expect.poll(() => connectionState(page), POLL).toBe('open');

/**
 * The comments on screen, in page order: `[seq, body]`. Read in one step: item
 * by item, a comment removed meanwhile (a deletion) would leave a locator
 * waiting for an element that is gone, past the poll's deadline.
 */
export const shownComments = (page: Page): Promise<[number, string][]> =>
  page
    .getByTestId('comment')
    .evaluateAll((items) =>
      items.map((item): [number, string] => [
        Number(item.getAttribute('data-seq')),
        item.querySelector('[data-testid="comment-body"]')?.textContent ?? '',
      ]),
    );

export const shownBodies = async (page: Page) => (await shownComments(page)).map(([, body]) => body);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type BrowserSuite = ReturnType<typeof useBrowserSuite>;

/** A suite of browser tests on one local cloud and one Chromium; skipped with a notice where Chromium is missing. */
export const describeInChromium = (name: string, tests: (cloud: BrowserSuite) => void) => {
  const executablePath = chromiumPath();
  describe.skipIf(!executablePath)(name, () => tests(useBrowserSuite(executablePath ?? '')));
};
