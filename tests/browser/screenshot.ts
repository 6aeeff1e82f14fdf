/**
 * `npm run screenshot`: docs/screenshots/post-page.png, the post page with
 * live comments (and a toast of a comment on another post), and
 * docs/screenshots/console.png, the operator's console following one of
 * those comments with a dead letter waiting, made on a local cloud of its own
 * (free ports) in Debian's headless Chromium. Rerun it after changing how the
 * app or the console looks.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CommentCreatedV1 } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import { ApiError, createApiClient } from '../../client/src/index';
import { startLocalCloud } from '../../local-cloud/src/index';
import { eventually } from '../integration/support/cloud';
import { chromiumPath, launchChromium } from './support/chromium';

const screenshots = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const out = join(screenshots, 'post-page.png');
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

  // The console, following a comment written while the post page is open, with a dead letter waiting.
  const correlationId = `shot-${randomUUID().slice(0, 8)}`;
  const written = await fetch(`${cloud.urls.http}/api/v1/posts/${post.id}/comments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${carol.token}`,
      'content-type': 'application/json',
      'x-correlation-id': correlationId,
    },
    body: JSON.stringify({ body: 'Followed from the console: request, bus, queue, broadcast, frames.' }),
  });
  if (written.status !== 201) throw new Error(`the followed comment was answered ${written.status}`);
  const rule = cloud.topology.rules.find((one) => one.name === 'local-connections-comment-events');
  const sqs = new SQSClient({
    endpoint: cloud.urls.edge,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: `${cloud.urls.edge}/000000000000/local-connections-comment-events-rule-dlq`,
      MessageBody: eventBridgeMessage(
        CommentCreatedV1,
        {
          id: randomUUID(),
          postId: post.id,
          authorId: 'bob',
          body: 'An event the bus could not deliver',
          createdAt: new Date().toISOString(),
          seq: 99,
        },
        { correlationId: `dead-${randomUUID().slice(0, 8)}`, occurredAt: new Date().toISOString() },
      ),
      MessageAttributes: {
        RULE_ARN: text(rule?.arn ?? ''),
        TARGET_ARN: text(rule?.targets[0]?.arn ?? ''),
        ERROR_CODE: text('NO_RESOURCE'),
        ERROR_MESSAGE: text('The specified queue does not exist.'),
        RETRY_ATTEMPTS: text('0'),
      },
    }),
  );
  sqs.destroy();
  const consoleContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const consolePage = await consoleContext.newPage();
  await consolePage.goto(`${cloud.urls.http}/_local/console?correlationId=${correlationId}`);
  await consolePage
    .locator('[data-testid="path"] li[data-kind="frames"]')
    .first()
    .waitFor({ timeout: 15_000 });
  await consolePage
    .locator('[data-testid="dead-letter-messages"] tbody tr')
    .first()
    .waitFor({ timeout: 15_000 });
  await consolePage.locator('[data-testid="metric-chart"]').first().waitFor({ timeout: 15_000 });
  // A few seconds of the charts moving.
  await consolePage.waitForTimeout(4_000);
  await consolePage.screenshot({ path: join(screenshots, 'console.png'), fullPage: true });
  console.log(`wrote ${join('docs', 'screenshots', 'console.png')}`);
} finally {
  await browser.close();
  await cloud.stop();
}
