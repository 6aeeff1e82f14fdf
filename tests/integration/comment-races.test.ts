/**
 * Comments racing the posts service's events on the local cloud (issue 13):
 * a comment made at once after its post's 201 is accepted, before PostCreated
 * has reached the comments service; a comment racing its post's deletion is
 * never kept, listed, or accepted once the deletion has reached it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { Comment, Page, Post } from '../../client/src/index';
import { api, eventually, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const { request, token } = api(cloud);
let documents: DynamoDBDocumentClient | undefined;
/** The local cloud's DynamoDB, to look at (and once to take from) the comments service's tables. */
const edge = () => {
  documents ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud().urls.edge,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  return documents;
};
afterAll(() => documents?.destroy());

/** The comments service's tables on the local stage. */
const KNOWN_POSTS = 'local-comments-posts';
const COMMENTS = 'local-comments';

/** Log lines of createComment that recorded a post read from the posts service (PostCreated not there yet). */
const readFromPosts = (postIds: string[]) =>
  cloud.logs.filter(
    (entry) =>
      entry.functionKey === 'comments.createComment' &&
      entry.message === 'Recorded a post read from the posts service before its PostCreated' &&
      postIds.includes(String(entry.json?.postId)),
  );

describe('a comment right after its post', () => {
  it('is accepted at once after the post’s 201, ten posts in a row, and numbered on from there', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const postIds: string[] = [];

    for (let i = 0; i < 10; i++) {
      const post = await request<Post>('POST', '/api/v1/posts', {
        token: alice,
        body: { title: `Quick ${i}`, body: 'b' },
      });
      expect(post.status).toBe(201);
      const comment = await request<Comment>('POST', `/api/v1/posts/${post.body.id}/comments`, {
        token: bob,
        body: { body: `first on ${i}` },
      });
      expect(comment.status).toBe(201);
      expect(comment.body).toMatchObject({ postId: post.body.id, authorId: 'bob', seq: 1 });
      postIds.push(post.body.id);
    }

    // Once PostCreated arrives it updates the post, never its counter: numbering goes on.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const postId of postIds) {
      const second = await request<Comment>('POST', `/api/v1/posts/${postId}/comments`, {
        token: alice,
        body: { body: 'second' },
      });
      expect(second.status).toBe(201);
      expect(second.body.seq).toBe(2);
      const listed = await request<Page<Comment>>('GET', `/api/v1/posts/${postId}/comments`);
      expect(listed.body.items.map((c) => [c.seq, c.body])).toEqual([
        [1, expect.stringMatching(/^first on \d$/)],
        [2, 'second'],
      ]);
    }
  });

  it('reads a post the comments service has not heard of from the posts service, through the gateway in use', async () => {
    const alice = await token('alice');
    const post = await request<Post>('POST', '/api/v1/posts', {
      token: alice,
      body: { title: 'Lost', body: 'b' },
    });
    const key = { postId: post.body.id };
    // As if PostCreated had not arrived: once it has, its row is taken out of the known posts.
    await eventually(
      async () => (await edge().send(new GetCommand({ TableName: KNOWN_POSTS, Key: key }))).Item,
    );
    await edge().send(new DeleteCommand({ TableName: KNOWN_POSTS, Key: key }));

    const comment = await request<Comment>('POST', `/api/v1/posts/${post.body.id}/comments`, {
      token: alice,
      body: { body: 'still here' },
    });

    expect(comment.status).toBe(201);
    expect(comment.body.seq).toBe(1);
    expect(readFromPosts([post.body.id])).toHaveLength(1);
    const recorded = await edge().send(
      new GetCommand({ TableName: KNOWN_POSTS, Key: key, ConsistentRead: true }),
    );
    expect(recorded.Item).toEqual({
      postId: post.body.id,
      authorId: 'alice',
      createdAt: post.body.createdAt,
      updatedAt: post.body.updatedAt,
      nextSeq: 1,
    });
  });

  it('still answers 404 for a post that never existed', async () => {
    const bob = await token('bob');

    const response = await request('POST', '/api/v1/posts/never-created-0f3a/comments', {
      token: bob,
      body: { body: 'hello?' },
    });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'Post not found.' } });
  });
});

/** Rows of the post's comments in the comments table (tombstones included), read consistently. */
const storedCommentsOf = async (postId: string) =>
  (
    await edge().send(
      new QueryCommand({
        TableName: COMMENTS,
        KeyConditionExpression: 'postId = :postId',
        ExpressionAttributeValues: { ':postId': postId },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

type EdgeRequest = Parameters<ReturnType<typeof cloud>['edge']['dynamodb']['handle']>[0];

/** The comment rows a DynamoDB request writes (PutItem, or the Puts of a TransactWriteItems), as sent. */
const commentPutsOf = (request: EdgeRequest): { postId?: string; body?: string }[] => {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
  if (operation !== 'PutItem' && operation !== 'TransactWriteItems') return [];
  type Put = { TableName?: string; Item?: Record<string, { S?: string }> };
  const input = JSON.parse(request.body.toString('utf8')) as Put & { TransactItems?: { Put?: Put }[] };
  const puts =
    operation === 'PutItem' ? [input] : (input.TransactItems ?? []).flatMap((item) => item.Put ?? []);
  return puts
    .filter((put) => put.TableName === COMMENTS)
    .map((put) => ({ postId: put.Item?.postId?.S, body: put.Item?.body?.S }));
};

/**
 * Holds the first write of a comment on `postId` at the local cloud's
 * DynamoDB (after its seq was taken, before it reaches the table) until
 * `release()`. `held` resolves with that comment's body once it is held (or
 * undefined if none came before the release). The worst interleaving, made
 * certain: the deletion is handled in between.
 */
const holdFirstCommentWrite = (postId: string) => {
  const dynamodb = cloud().edge.dynamodb;
  const handle = dynamodb.handle;
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = true;
  let onHeld: (body: string | undefined) => void = () => {};
  const held = new Promise<string | undefined>((resolve) => {
    onHeld = resolve;
  });
  void released.then(() => onHeld(undefined));
  dynamodb.handle = async (request) => {
    const put = holding ? commentPutsOf(request).find((row) => row.postId === postId) : undefined;
    if (put) {
      holding = false;
      onHeld(put.body);
      await released;
    }
    return handle(request);
  };
  return {
    held,
    release: () => release(),
    restore: () => {
      release();
      dynamodb.handle = handle;
    },
  };
};

interface Attempt {
  body: string;
  /** performance.now() when the request was sent and when its answer came. */
  sentAt: number;
  answeredAt: number;
  status: number;
}

describe('comments racing their post’s deletion', () => {
  const ROUNDS = 5;
  const RACERS = 5;
  /** Enough for the deletion to reach the comments service (it does within a second locally). */
  const MAX_ATTEMPTS_PER_RACER = 300;

  /*
   * Each round: a post the comments service knows, then its author deletes it
   * while five commenters each keep commenting until they are refused. One
   * comment's write is held at the local DynamoDB, after its number was
   * taken, until the deletion has been handled (the post marked deleted, its
   * comments removed): what the old two-step write lost. What must hold,
   * every round:
   * - every comment is answered 201 or 404 (never 5xx), the held one 404;
   * - once the comments service has refused a comment with 404 (it has
   *   recorded the deletion), no comment sent after that answer is accepted;
   * - the post's comment list is empty as soon as every commenter was
   *   refused, and no comment of the post stays stored: the ones accepted
   *   before the deletion reached the service went with the post, and none
   *   is written after it, so none outlives the post.
   * A comment accepted before the deletion was recorded may still be
   * announced after the posts service published PostDeleted: its
   * CommentCreated is published before its 201, and events are not ordered.
   */
  it('never keeps, lists or accepts a comment once the deletion has reached the comments service', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    let acceptedInRaces = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const post = await request<Post>('POST', '/api/v1/posts', {
        token: alice,
        body: { title: `Race ${round}`, body: 'b' },
      });
      const postId = post.body.id;
      const path = `/api/v1/posts/${postId}/comments`;
      expect((await request('POST', path, { token: bob, body: { body: 'known' } })).status).toBe(201);

      const hold = holdFirstCommentWrite(postId);
      const attempts: Attempt[] = [];
      const racer = async (index: number) => {
        for (let n = 0; n < MAX_ATTEMPTS_PER_RACER; n++) {
          const body = `racer ${index} #${n}`;
          const sentAt = performance.now();
          const response = await request<Comment>('POST', path, { token: bob, body: { body } });
          attempts.push({ body, sentAt, answeredAt: performance.now(), status: response.status });
          if (response.status !== 201) return response.status;
        }
        return 'never refused';
      };
      const deletion = async () => {
        await new Promise((resolve) => setTimeout(resolve, 20 * Math.random()));
        const deleted = (await request('DELETE', `/api/v1/posts/${postId}`, { token: alice })).status;
        // Let the held write go once the comments service has handled PostDeleted.
        await eventually(async () => {
          const known = await edge().send(
            new GetCommand({ TableName: KNOWN_POSTS, Key: { postId }, ConsistentRead: true }),
          );
          return known.Item?.deletedAt && (await storedCommentsOf(postId)).length === 0 ? true : undefined;
        });
        hold.release();
        return deleted;
      };

      let heldBody: string | undefined;
      let deleted: number;
      let ends: (number | string)[];
      try {
        [heldBody, deleted, ...ends] = await Promise.all([
          hold.held,
          deletion(),
          ...Array.from({ length: RACERS }, (_, index) => racer(index)),
        ]);
      } finally {
        hold.restore();
      }

      expect(deleted).toBe(204);
      expect(ends).toEqual(Array(RACERS).fill(404));
      expect(attempts.filter((a) => a.status !== 201 && a.status !== 404)).toEqual([]);
      expect(heldBody).toBeDefined();
      expect(attempts.find((a) => a.body === heldBody)?.status).toBe(404);
      const firstRefusal = Math.min(...attempts.filter((a) => a.status === 404).map((a) => a.answeredAt));
      expect(attempts.filter((a) => a.sentAt > firstRefusal && a.status !== 404)).toEqual([]);
      const listed = await request<Page<Comment>>('GET', path);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ items: [], nextCursor: null });
      expect(await storedCommentsOf(postId)).toEqual([]);
      acceptedInRaces += attempts.filter((a) => a.status === 201).length;
    }

    // The commenters did race the deletion: some of their comments were accepted before it arrived.
    expect(acceptedInRaces).toBeGreaterThan(0);
  });
});
