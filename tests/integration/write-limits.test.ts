/**
 * Abuse limits at every door (issue 14), against the real local cloud: each
 * user's write limits (DynamoDB, exact under concurrency, one user never
 * slowing another) and the API stages' throttling honoured by the local
 * gateways. The suite's stage parameters lower the limits so that no refill
 * happens while it runs: 1 write a minute with a burst of 5 comments or 3
 * post writes, and stages at 0.01 requests/s.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Comment, Page } from '../../client/src/index';
import { type ApiResponse, api, eventually, useLocalCloud } from './support/cloud';
import { TestSocket } from './support/ws-client';

const COMMENT_BURST = 5;
const POST_BURST = 3;
const STAGE_BURST = 3;

const cloud = useLocalCloud({
  params: {
    commentWritesPerMinute: '1',
    commentWritesBurst: String(COMMENT_BURST),
    postWritesPerMinute: '1',
    postWritesBurst: String(POST_BURST),
    connectionsApiThrottlingRateLimit: '0.01',
    connectionsApiThrottlingBurstLimit: String(STAGE_BURST),
    webSocketThrottlingRateLimit: '0.01',
    // The handshake and one message.
    webSocketThrottlingBurstLimit: '2',
  },
});
const { request, token, createPost } = api(cloud);

type ErrorBody = { error: { code: string; message: string } };

const comment = (as: string, postId: string, body: string) =>
  request<Comment | ErrorBody>('POST', `/api/v1/posts/${postId}/comments`, { token: as, body: { body } });

const statuses = (responses: ApiResponse[]) => responses.map((response) => response.status);

/**
 * The author's first comment, retried while it is 503 (the comments service
 * asks the posts service about a post it has not heard of yet, and on a busy
 * machine a cold posts function can miss its 2 s): afterwards the post is in
 * the comments service's table and no write of the test depends on that call.
 */
const knownToComments = (as: string, postId: string) =>
  eventually(async () => {
    const answer = await comment(as, postId, 'first');
    if (answer.status === 201) return true;
    if (answer.status !== 503)
      throw new Error(`first comment: ${answer.status} ${JSON.stringify(answer.body)}`);
    return undefined;
  }, 30_000);

/** A refusal as the contract has it: 429 rate_limited with a Retry-After of whole seconds, at least 1. */
const expectRateLimited = (response: ApiResponse, atMostSeconds: number) => {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  const retryAfter = response.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(atMostSeconds);
};

describe('per-user write limits', () => {
  it("slows a flooder to the burst while another user's writes at the same time all pass", async () => {
    const [author, flooder, bystander] = await Promise.all([
      token('wl-author'),
      token('wl-a'),
      token('wl-b'),
    ]);
    const post = await createPost(author, 'Flooded');
    await knownToComments(author, post.id);

    const flood = async () => {
      const answers = [];
      for (let i = 0; i < 20; i++) answers.push(await comment(flooder, post.id, `flood ${i}`));
      return answers;
    };
    const calm = async () => {
      const answers = [];
      for (let i = 0; i < COMMENT_BURST; i++) answers.push(await comment(bystander, post.id, `calm ${i}`));
      return answers;
    };
    const [flooded, calmed] = await Promise.all([flood(), calm()]);

    expect(statuses(flooded)).toEqual([
      ...Array(COMMENT_BURST).fill(201),
      ...Array(20 - COMMENT_BURST).fill(429),
    ]);
    // One write a minute: the next is allowed within a minute, never later.
    for (const refused of flooded.slice(COMMENT_BURST)) expectRateLimited(refused, 60);
    expect(statuses(calmed)).toEqual(Array(COMMENT_BURST).fill(201));

    // A refused write wrote nothing: the post holds exactly the comments that were answered 201.
    const list = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments?limit=100`);
    expect(list.body.items.map((c) => c.body).sort()).toEqual(
      [
        'first',
        ...Array.from({ length: COMMENT_BURST }, (_, i) => `flood ${i}`),
        ...Array.from({ length: COMMENT_BURST }, (_, i) => `calm ${i}`),
      ].sort(),
    );

    // Deleting is a comment write too: the flooder's allowance is spent, the comment stays.
    const mine = flooded[0]?.body as Comment;
    const deletion = await request('DELETE', `/api/v1/posts/${post.id}/comments/${mine.id}`, {
      token: flooder,
    });
    expectRateLimited(deletion, 60);
    const after = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments?limit=100`);
    expect(after.body.items.map((c) => c.id)).toContain(mine.id);
  });

  it('is exact under concurrent requests: of 20 at once from one user, exactly the burst pass', async () => {
    const [author, flooder] = await Promise.all([token('wl-author-2'), token('wl-c')]);
    const post = await createPost(author, 'Raced');
    await knownToComments(author, post.id);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => comment(flooder, post.id, `race ${i}`)),
    );

    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(COMMENT_BURST);
    const refused = answers.filter((answer) => answer.status !== 201);
    expect(refused).toHaveLength(20 - COMMENT_BURST);
    for (const answer of refused) expectRateLimited(answer, 60);
    const list = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments?limit=100`);
    // The author's first comment, then exactly the burst, numbered without a gap.
    expect(list.body.items).toHaveLength(COMMENT_BURST + 1);
    expect(list.body.items.map((c) => c.seq)).toEqual(
      Array.from({ length: COMMENT_BURST + 1 }, (_, i) => i + 1),
    );
  });

  it("limits post writes per user apart from favorites, and apart from other users'", async () => {
    const [poster, other] = await Promise.all([token('wl-poster'), token('wl-other')]);
    const answers = await Promise.all(
      Array.from({ length: POST_BURST + 2 }, (_, i) =>
        request('POST', '/api/v1/posts', { token: poster, body: { title: `P${i}`, body: 'B' } }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(POST_BURST);
    for (const answer of answers.filter((a) => a.status !== 201)) expectRateLimited(answer, 60);

    const theirs = await createPost(other, 'Not slowed');
    const favorite = await request('PUT', `/api/v1/posts/${theirs.id}/favorite`, { token: poster });
    expect(favorite.status).toBe(204);
  });
});

describe('stage throttling in the local gateways', () => {
  let socket: TestSocket | undefined;
  afterAll(() => socket?.close());

  it("answers API Gateway's 429 past an HTTP API stage's limit, and only on that API", async () => {
    const answers = await Promise.all(
      Array.from({ length: STAGE_BURST + 3 }, () => request('GET', '/api/v1/websocket/connections')),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(STAGE_BURST);
    const throttled = answers.filter((answer) => answer.status !== 200);
    expect(statuses(throttled)).toEqual([429, 429, 429]);
    for (const answer of throttled) expect(answer.body).toEqual({ message: 'Too Many Requests' });
    expect(cloud().metrics().http.stageThrottledRequests).toBeGreaterThanOrEqual(3);
    // The posts service's API has a stage of its own.
    expect((await request('GET', '/api/v1/health/posts')).status).toBe(200);
  });

  it("throttles the WebSocket stage's messages with API Gateway's frame and its handshakes with 429", async () => {
    const url = `${cloud().urls.websocket}?token=${await token('wl-socket')}`;
    socket = await TestSocket.open(url);
    expect(await socket.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    socket.send({ action: 'ping', requestId: 'throttled' });
    const frame = await socket.next((f) => f.message === 'Too Many Requests');
    expect(frame).toEqual({
      message: 'Too Many Requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
    await expect(TestSocket.open(url)).rejects.toThrow('handshake refused: 429');
    expect(cloud().metrics().webSocket.stageThrottled).toBe(2);
  });
});
