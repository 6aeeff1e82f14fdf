import { describe, expect, it } from 'vitest';
import type { Comment, Page, Post } from '../../client/src/index';
import { api, eventually, useLocalCloud } from './support/cloud';

const cloud = useLocalCloud();
const { request, token, createPost: newPost } = api(cloud);

describe('HTTP API on the local cloud', () => {
  it('turns away writes without a valid JWT before any handler runs', async () => {
    const missing = await request('POST', '/api/v1/posts', { body: { title: 't', body: 'b' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ message: 'Unauthorized' });
    const forged = await request('POST', '/api/v1/posts', {
      body: { title: 't', body: 'b' },
      token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl',
    });
    expect(forged.status).toBe(401);
  });

  it('answers every service health route', async () => {
    for (const service of ['posts', 'comments', 'connections']) {
      const health = await request<{ status: string; service: string }>('GET', `/api/v1/health/${service}`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', service });
    }
  });

  it('creates, reads, updates and deletes a post, author only', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const created = await request<Post>('POST', '/api/v1/posts', {
      token: alice,
      body: { title: 'Hello', body: 'First post' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      authorId: 'alice',
      title: 'Hello',
      commentCount: 0,
      favoriteCount: 0,
    });
    const id = created.body.id;

    expect((await request<Post>('GET', `/api/v1/posts/${id}`)).body.title).toBe('Hello');
    const list = await request<Page<Post>>('GET', '/api/v1/posts?limit=100');
    expect(list.body.items.map((p) => p.id)).toContain(id);

    const notAuthor = await request('PATCH', `/api/v1/posts/${id}`, {
      token: bob,
      body: { title: 'Mine now' },
    });
    expect(notAuthor.status).toBe(403);
    expect(notAuthor.body).toMatchObject({ error: { code: 'forbidden' } });

    const patched = await request<Post>('PATCH', `/api/v1/posts/${id}`, {
      token: alice,
      body: { title: 'Hello again' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('Hello again');

    expect((await request('DELETE', `/api/v1/posts/${id}`, { token: bob })).status).toBe(403);
    expect((await request('DELETE', `/api/v1/posts/${id}`, { token: alice })).status).toBe(204);
    const gone = await request('GET', `/api/v1/posts/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('rejects bad input with the contract error shape', async () => {
    const alice = await token('alice');
    const malformed = await request('POST', '/api/v1/posts', { token: alice, body: '{"title":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'validation_failed' } });
    const tampered = await request('GET', '/api/v1/posts?cursor=not-a-real-cursor');
    expect(tampered.status).toBe(400);
  });

  it('comments on a post with seq counting up by one, and keeps the post commentCount current', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const post = await newPost(alice, 'T');

    // The comments service learns of the post from the PostCreated event.
    const first = await eventually(async () => {
      const response = await request<Comment>('POST', `/api/v1/posts/${post.id}/comments`, {
        token: bob,
        body: { body: 'first!' },
      });
      return response.status === 201 ? response.body : undefined;
    });
    const second = await request<Comment>('POST', `/api/v1/posts/${post.id}/comments`, {
      token: alice,
      body: { body: 'second' },
    });
    expect(second.status).toBe(201);
    expect(second.body.seq).toBe(first.seq + 1);

    const after = await request<Page<Comment>>(
      'GET',
      `/api/v1/posts/${post.id}/comments?afterSeq=${first.seq}`,
    );
    expect(after.body.items.map((c) => c.body)).toEqual(['second']);

    const empty = await request('POST', `/api/v1/posts/${post.id}/comments`, {
      token: bob,
      body: { body: '   ' },
    });
    expect(empty.status).toBe(400);
    const tooLong = await request('POST', `/api/v1/posts/${post.id}/comments`, {
      token: bob,
      body: { body: 'x'.repeat(4001) },
    });
    expect(tooLong.status).toBeGreaterThanOrEqual(400);
    expect(tooLong.status).toBeLessThan(500);

    // CommentCreated travels bus -> posts' queue -> countComments.
    await eventually(async () => {
      const current = await request<Post>('GET', `/api/v1/posts/${post.id}`);
      return current.body.commentCount === 2 ? true : undefined;
    });

    expect(
      (await request('DELETE', `/api/v1/posts/${post.id}/comments/${first.id}`, { token: alice })).status,
    ).toBe(403);
    expect(
      (await request('DELETE', `/api/v1/posts/${post.id}/comments/${first.id}`, { token: bob })).status,
    ).toBe(204);
    await eventually(async () => {
      const current = await request<Post>('GET', `/api/v1/posts/${post.id}`);
      return current.body.commentCount === 1 ? true : undefined;
    });
  });

  it('answers 404 for a comment on an unknown post', async () => {
    const bob = await token('bob');
    const response = await request('POST', '/api/v1/posts/does-not-exist/comments', {
      token: bob,
      body: { body: 'hello?' },
    });
    expect(response.status).toBe(404);
  });

  it('favorites idempotently and lists my favorites', async () => {
    const alice = await token('alice');
    const carol = await token('carol');
    const post = await newPost(alice, 'Fav');
    expect((await request('PUT', `/api/v1/posts/${post.id}/favorite`, { token: carol })).status).toBe(204);
    expect((await request('PUT', `/api/v1/posts/${post.id}/favorite`, { token: carol })).status).toBe(204);
    expect((await request<Post>('GET', `/api/v1/posts/${post.id}`)).body.favoriteCount).toBe(1);
    const mine = await request<Page<Post>>('GET', '/api/v1/me/favorites', { token: carol });
    expect(mine.body.items.map((p) => p.id)).toEqual([post.id]);
    expect((await request('DELETE', `/api/v1/posts/${post.id}/favorite`, { token: carol })).status).toBe(204);
    expect((await request('DELETE', `/api/v1/posts/${post.id}/favorite`, { token: carol })).status).toBe(204);
    expect((await request<Post>('GET', `/api/v1/posts/${post.id}`)).body.favoriteCount).toBe(0);
    expect((await request('GET', '/api/v1/me/favorites')).status).toBe(401);
  });

  it('answers CORS preflights for the web app origin', async () => {
    const response = await fetch(`${cloud().urls.http}/api/v1/posts`, {
      method: 'OPTIONS',
      headers: {
        origin: cloud().urls.web,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe(cloud().urls.web);
  });
});
