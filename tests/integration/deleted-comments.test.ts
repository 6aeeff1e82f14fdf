import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { Comment, CommentDeleted, Page, Post } from '../../client/src/index';
import { api, eventually, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const { request, token } = api(cloud);
let dynamodb: DynamoDBClient | undefined;
const edge = () => {
  dynamodb ??= new DynamoDBClient({
    endpoint: cloud().urls.edge,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return dynamodb;
};
afterAll(() => dynamodb?.destroy());

const WEEK_SECONDS = 7 * 24 * 60 * 60;

/** A post with comments `bodies` by alice, once the comments service knows the post. */
const postWithComments = async (alice: string, bodies: string[]) => {
  const post = await request<Post>('POST', '/api/v1/posts', {
    token: alice,
    body: { title: 'Deletions', body: 'b' },
  });
  const comments: Comment[] = [];
  for (const body of bodies) {
    const created = await eventually(async () => {
      const response = await request<Comment>('POST', `/api/v1/posts/${post.body.id}/comments`, {
        token: alice,
        body: { body },
      });
      return response.status === 201 ? response.body : undefined;
    });
    comments.push(created);
  }
  return { postId: post.body.id, comments };
};

const deleted = (postId: string, query: string) =>
  request<Page<CommentDeleted>>('GET', `/api/v1/posts/${postId}/comments/deleted?${query}`);

describe('deleted comments on the local cloud', () => {
  it('lists a post’s deletions after since, oldest first, page by page, and keeps no body', async () => {
    const alice = await token('alice');
    const { postId, comments } = await postWithComments(alice, ['one', 'two', 'three', 'four', 'five']);
    const [c1, c2, c3, c4, c5] = comments as [Comment, Comment, Comment, Comment, Comment];
    const before = new Date(Date.now() - 1_000).toISOString();
    for (const comment of [c2, c4, c1]) {
      const response = await request('DELETE', `/api/v1/posts/${postId}/comments/${comment.id}`, {
        token: alice,
      });
      expect(response.status).toBe(204);
    }

    const all = await deleted(postId, `since=${before}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((d) => d.id)).toEqual([c2.id, c4.id, c1.id]);
    expect(all.body.items[0]).toEqual({
      id: c2.id,
      postId,
      authorId: 'alice',
      seq: c2.seq,
      deletedAt: expect.any(String),
    });
    expect(all.body.nextCursor).toBeNull();
    const [first] = all.body.items as [CommentDeleted];

    // since is exclusive, and any ISO-8601 instant will do (here with an offset).
    const firstPlusTwoHours = new Date(Date.parse(first.deletedAt) + 2 * 3_600_000).toISOString();
    const withOffset = `${firstPlusTwoHours.slice(0, -1)}+02:00`;
    const later = await deleted(postId, `since=${encodeURIComponent(withOffset)}`);
    expect(later.body.items.map((d) => d.id)).toEqual([c4.id, c1.id]);

    const page1 = await deleted(postId, `since=${before}&limit=2`);
    expect(page1.body.items.map((d) => d.id)).toEqual([c2.id, c4.id]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await deleted(postId, `since=${before}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((d) => d.id)).toEqual([c1.id]);
    expect(page2.body.nextCursor).toBeNull();

    // Readers no longer see them; a second delete is a 404.
    const list = await request<Page<Comment>>('GET', `/api/v1/posts/${postId}/comments`);
    expect(list.body.items.map((c) => c.id)).toEqual([c3.id, c5.id]);
    const again = await request('DELETE', `/api/v1/posts/${postId}/comments/${c2.id}`, { token: alice });
    expect(again.status).toBe(404);

    // The stored tombstone: no body, out of the outbox, expiring a week after its deletion.
    const { Item: tombstone } = await DynamoDBDocumentClient.from(edge()).send(
      new GetCommand({ TableName: 'local-comments', Key: { postId, seq: c2.seq }, ConsistentRead: true }),
    );
    expect(tombstone).toMatchObject({ id: c2.id, deletedAt: first.deletedAt });
    expect(tombstone?.expiresAt).toBe(Math.floor(Date.parse(first.deletedAt) / 1000) + WEEK_SECONDS);
    for (const gone of ['body', 'publishState', 'outboxShard', 'pendingSince']) {
      expect(tombstone).not.toHaveProperty(gone);
    }
    const ttl = await edge().send(new DescribeTimeToLiveCommand({ TableName: 'local-comments' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('answers an unknown post with an empty list, and bad input with the contract’s 400', async () => {
    const alice = await token('alice');
    const { postId, comments } = await postWithComments(alice, ['a', 'b']);
    const other = await postWithComments(alice, ['c']);
    for (const { id } of comments) {
      await request('DELETE', `/api/v1/posts/${postId}/comments/${id}`, { token: alice });
    }
    await request('DELETE', `/api/v1/posts/${other.postId}/comments/${other.comments[0]?.id}`, {
      token: alice,
    });
    const since = '2020-01-01T00:00:00.000Z';
    const foreign = await deleted(other.postId, `since=${since}&limit=1`);
    const ours = await deleted(postId, `since=${since}&limit=1`);
    const commentsCursor = await request<Page<Comment>>('GET', `/api/v1/posts/${postId}/comments?limit=1`);
    expect(ours.body.nextCursor).toEqual(expect.any(String));

    expect(await deleted('no-such-post', `since=${since}`)).toMatchObject({
      status: 200,
      body: { items: [], nextCursor: null },
    });
    const cases: [string, string][] = [
      ['', 'validation_failed'],
      ['since=yesterday', 'validation_failed'],
      ['since=2026-03-01', 'validation_failed'],
      [`since=${since}&limit=0`, 'validation_failed'],
      [`since=${since}&limit=101`, 'validation_failed'],
      [`since=${since}&cursor=${foreign.body.nextCursor}`, 'invalid_cursor'],
      [`since=2020-01-01T00:00:01.000Z&cursor=${ours.body.nextCursor}`, 'invalid_cursor'],
      [`since=${since}&cursor=${commentsCursor.body.nextCursor ?? 'x'}`, 'invalid_cursor'],
      [`since=${since}&cursor=not-a-cursor`, 'invalid_cursor'],
    ];
    for (const [query, code] of cases) {
      const response = await deleted(postId, query);
      expect({ query, status: response.status, body: response.body }).toMatchObject({
        query,
        status: 400,
        body: { error: { code, message: expect.any(String) } },
      });
    }
  });
});
