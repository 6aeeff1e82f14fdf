/**
 * Comments racing the posts service's events on the local cloud (issue 13):
 * a comment made at once after its post's 201 is accepted, before PostCreated
 * has reached the comments service.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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

/** The comments service's known-posts table on the local stage. */
const KNOWN_POSTS = 'local-comments-posts';

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
