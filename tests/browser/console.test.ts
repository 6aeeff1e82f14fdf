import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import AxeBuilder from '@axe-core/playwright';
import { CommentCreatedV1 } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createApiClient } from '../../client/src/index';
import { describeInChromium, POLL, postPath, waitUntilLive } from './support/app';

/** The steps the console's path shows, as `kind name: detail`. */
const pathSteps = (page: Page) =>
  page
    .getByTestId('path')
    .locator('li[data-kind]')
    .evaluateAll((items) =>
      items.map(
        (item) =>
          `${item.getAttribute('data-kind')} ${item.getAttribute('data-name')}: ${item.querySelector('.detail')?.textContent ?? ''}`,
      ),
    );

const follow = async (page: Page, correlationId: string) => {
  await page.getByTestId('log-correlation').fill(correlationId);
  await page.getByRole('button', { name: 'Follow', exact: true }).click();
};

describeInChromium('the operator’s console', (cloud) => {
  const openConsole = async () => {
    const page = await cloud.open(`${cloud().urls.http}/_local/console`);
    await expect.poll(() => page.getByTestId('console-status').getAttribute('data-state'), POLL).toBe('open');
    return page;
  };

  it('shows a comment’s path live: the createComment invocation, the queue, the broadcast invocation, the frames', async () => {
    const alice = await cloud.http('alice');
    const post = await alice.createPost('Watched from the console');
    // A reader on the post's page: the broadcast has a subscriber to send a frame to.
    const reader = await cloud.open(postPath(post.id));
    await waitUntilLive(reader);
    await cloud.liveSubscriber(`post:${post.id}`);
    const consolePage = await openConsole();
    const correlationId = `console-${randomUUID()}`;
    await follow(consolePage, correlationId);

    // The comment, written with a correlation id of the test's choosing (the shared kit keeps a valid one).
    const { urls } = cloud();
    const { token } = await createApiClient({ apiUrl: urls.http }).localToken('bob');
    const written = await fetch(`${urls.http}/api/v1/posts/${post.id}/comments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
      },
      body: JSON.stringify({ body: 'followed through the console' }),
    });
    expect(written.status).toBe(201);
    expect(written.headers.get('x-correlation-id')).toBe(correlationId);

    // Without a reload: the stream brings each step as it happens.
    await expect
      .poll(() => pathSteps(consolePage), POLL)
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^invocation comments\.createComment: POST \/api\/v1\/posts\/\{postId\}\/comments: 201/,
          ),
          expect.stringMatching(/^event CommentCreated: /),
          expect.stringMatching(
            /^queue local-connections-comment-events: rule local-connections-comment-events: delivered/,
          ),
          expect.stringMatching(/^invocation connections\.broadcast: /),
          `frames post:${post.id}: frames: 1 delivered`,
        ]),
      );
    const steps = await pathSteps(consolePage);
    const at = (prefix: string) => steps.findIndex((step) => step.startsWith(prefix));
    expect(at('invocation comments.createComment')).toBeLessThan(at('event CommentCreated'));
    expect(at('event CommentCreated')).toBeLessThan(at('invocation connections.broadcast'));
    expect(at('invocation connections.broadcast')).toBeLessThan(at(`frames post:${post.id}`));
    // The log view shows the broadcaster's line for that page, under the same correlation id.
    await expect
      .poll(
        () =>
          consolePage
            .getByTestId('logs')
            .locator('tbody tr')
            .filter({ hasText: 'Broadcast page sent' })
            .count(),
        POLL,
      )
      .toBeGreaterThan(0);
    // And the other panels moved: the function's invocations, the rule's matches, the frames, the topic.
    const row = (testId: string, key: string) =>
      consolePage.getByTestId(testId).locator(`tr[data-key="${key}"]`);
    await expect
      .poll(() => row('functions', 'comments.createComment').locator('td').first().textContent(), POLL)
      .not.toBe('0');
    await expect
      .poll(() => row('rules', 'local-connections-comment-events').locator('td').nth(2).textContent(), POLL)
      .not.toBe('0');
    await expect.poll(() => consolePage.getByTestId('frames-sent').textContent(), POLL).not.toBe('0');
    await expect
      .poll(() => row('topics', `post:${post.id}`).locator('td').first().textContent(), POLL)
      .toBe('1');
    // The broadcaster's EMF metrics are charted.
    await expect
      .poll(
        () => consolePage.locator('[data-testid="metric-chart"][data-metrics~="Delivered"]').count(),
        POLL,
      )
      .toBeGreaterThan(0);
  });

  it('redrives a dead letter from the page, by keyboard: the DLQ empties and the event is processed', async () => {
    const { urls, topology } = cloud();
    const dlqName = 'local-connections-comment-events-rule-dlq';
    const rule = topology.rules.find((one) => one.name === 'local-connections-comment-events');
    const target = rule?.targets[0];
    if (!rule || !target) throw new Error('no rule local-connections-comment-events in the topology');
    // A dead letter as EventBridge writes one when it cannot deliver to the rule's target.
    const correlationId = `dead-${randomUUID()}`;
    const postId = randomUUID();
    const body = eventBridgeMessage(
      CommentCreatedV1,
      {
        id: randomUUID(),
        postId,
        authorId: 'carol',
        body: 'once dead, now delivered',
        createdAt: new Date().toISOString(),
        seq: 1,
      },
      { correlationId, occurredAt: new Date().toISOString() },
    );
    const sqs = new SQSClient({
      endpoint: urls.edge,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const text = (value: string) => ({ DataType: 'String', StringValue: value });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: `${urls.edge}/000000000000/${dlqName}`,
          MessageBody: body,
          MessageAttributes: {
            RULE_ARN: text(rule.arn),
            TARGET_ARN: text(target.arn),
            ERROR_CODE: text('NO_RESOURCE'),
            ERROR_MESSAGE: text('The target queue does not exist.'),
            RETRY_ATTEMPTS: text('0'),
          },
        }),
      );
    } finally {
      sqs.destroy();
    }

    const consolePage = await openConsole();
    const block = consolePage.locator(`article[data-queue="${dlqName}"]`);
    const letter = block.getByTestId('dead-letter-messages').locator('tbody tr');
    await expect.poll(() => letter.count(), POLL).toBe(1);
    expect(await letter.textContent()).toContain('CommentCreated');
    expect(await letter.textContent()).toContain('NO_RESOURCE: The target queue does not exist.');
    expect(await block.getAttribute('data-waiting')).toBe('1');
    // Follow the dead letter's request, then redrive it with the keyboard.
    await letter.getByRole('button', { name: `Follow ${correlationId}` }).click();
    const redrive = block.getByRole('button', { name: `Redrive 1 from ${dlqName}` });
    await redrive.focus();
    await consolePage.keyboard.press('Enter');

    await expect
      .poll(() => consolePage.getByTestId('redrive-result').textContent(), POLL)
      .toBe(`${dlqName}: 1 moved back to local-connections-comment-events, 0 left.`);
    await expect.poll(() => block.getAttribute('data-waiting'), POLL).toBe('0');
    await expect.poll(() => letter.count(), POLL).toBe(0);
    // Processed: the broadcaster consumed it from the source queue, under its correlation id.
    await expect
      .poll(() => pathSteps(consolePage), POLL)
      .toEqual(expect.arrayContaining([`frames post:${postId}: frames: 0 delivered`]));
    expect(await pathSteps(consolePage)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^invocation connections\.broadcast: /)]),
    );
  });

  it('has no serious or critical axe violations', async () => {
    const consolePage = await openConsole();
    await consolePage.getByTestId('functions').locator('tbody tr').first().waitFor();
    const { violations } = await new AxeBuilder({ page: consolePage }).analyze();
    expect(
      violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map(
          (violation) =>
            `${violation.id}: ${violation.help}, at ${violation.nodes.map((node) => node.target.join(' ')).join('; ')}`,
        ),
    ).toEqual([]);
  });
});
