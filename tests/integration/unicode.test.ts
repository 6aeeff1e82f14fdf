import { describe, expect, it } from 'vitest';
import type { Comment, Page, Post } from '../../client/src/index';
import { MAX_COMMENT_CHARACTERS } from '../../services/comments/src/domain/comment';
import { BODY_MAX_CHARS, TITLE_MAX_CHARS } from '../../services/posts/src/domain/post';
import { api, eventually, useLocalCloud } from './support/cloud';
import { type Frame, TestSocket } from './support/ws-client';

/**
 * Text of every kind, end to end: stored, listed, broadcast and counted as
 * written. Every event of a post or comment crosses EventBridge and SQS, whose
 * character check refused every surrogate pair until fauxqs was patched
 * (patches/fauxqs+2.4.1.patch): an emoji post never reached the comments
 * service, an emoji comment was stored but never broadcast nor counted.
 * None of these texts starts or ends with whitespace: the services trim.
 */
const texts: Record<string, string> = {
  emoji: 'Party 🎉 congrats 🥳',
  'ZWJ sequences and flags': '👩‍👩‍👧‍👦 👨🏽‍💻 🧑‍🤝‍🧑 🇫🇷🇯🇵🇧🇷 🏳️‍🌈 🏴‍☠️',
  CJK: '漢字 かな カナ 한국어 中文评论',
  'right to left': 'مرحبا بالعالم، שלום עולם (RTL ‏mixed‎ LTR)',
  'combining marks': 'Ze\u0301ro n\u0303 Z\u0351\u0362a\u035Bl\u0322g\u0334o \u0915\u094D\u0937 a\u20DD',
  'astral symbols': '𝄞 𠜎 𓂀 𝔸𝔹 🀄 \u{1F9EC}',
  'JSON-hostile characters':
    '"quotes" \'single\' \\back\\slash\\ \\u0000 \\ud83c \u2028 \u2029 </script> {"a":[1]}\ttab\nline',
};

/** A word of astral and CJK characters at the limits: titles and post bodies count UTF-16 units, comments code points. */
const longTitle = '𝄞'.repeat(TITLE_MAX_CHARS / 2);
const longPostBody = '語𝄞'.repeat(Math.floor(BODY_MAX_CHARS / 3));
const longComment = '語𝄞'.repeat(MAX_COMMENT_CHARACTERS / 2);

const cloud = useLocalCloud();
const { request, token } = api(cloud);

/** Comments once the comments service has learned of the post: PostCreated reached it through the bus and SQS. */
const firstComment = async (postId: string, auth: string, body: string): Promise<Comment> =>
  eventually(async () => {
    const response = await request<Comment>('POST', `/api/v1/posts/${postId}/comments`, {
      token: auth,
      body: { body },
    });
    return response.status === 201 ? response.body : undefined;
  });

const isCreated = (id: string) => (frame: Frame) =>
  frame.type === 'comment.created' && (frame.data as Comment).id === id;

describe('text of every kind on the local cloud', () => {
  const posts = [
    ...Object.entries(texts).map(([kind, text]) => ({ kind, title: text, body: `${text}\n\n${text}` })),
    { kind: 'a long word at the limits', title: longTitle, body: longPostBody },
  ];

  it.each(posts)(
    'stores and lists a post with $kind as written, and it becomes commentable',
    async (post) => {
      const alice = await token('alice');
      const created = await request<Post>('POST', '/api/v1/posts', {
        token: alice,
        body: { title: post.title, body: post.body },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title: post.title, body: post.body });
      const id = created.body.id;

      const read = await request<Post>('GET', `/api/v1/posts/${id}`);
      expect(read.body).toMatchObject({ title: post.title, body: post.body });
      const list = await request<Page<Post>>('GET', '/api/v1/posts?limit=100');
      expect(list.body.items.find((item) => item.id === id)).toMatchObject({
        title: post.title,
        body: post.body,
      });

      const comment = await firstComment(id, await token('bob'), post.title);
      expect(comment).toMatchObject({ postId: id, body: post.title });
    },
  );

  it('stores, lists, broadcasts and counts comments of every kind on an emoji-titled post', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const post = (
      await request<Post>('POST', '/api/v1/posts', {
        token: alice,
        body: { title: 'Party 🎉', body: 'Comments welcome 💬' },
      })
    ).body;
    const watcher = await TestSocket.open(cloud().urls.websocket);
    await watcher.request({ action: 'subscribe', topic: `post:${post.id}` });
    const feed = await TestSocket.open(cloud().urls.websocket);
    await feed.request({ action: 'subscribe', topic: 'feed' });

    const bodies = ['Congrats 🎉', ...Object.values(texts), longComment];
    const [first = '', ...rest] = bodies;
    // Not 404: the post's PostCreated reached the comments service.
    const comments = [await firstComment(post.id, bob, first)];
    for (const body of rest) {
      const response = await request<Comment>('POST', `/api/v1/posts/${post.id}/comments`, {
        token: bob,
        body: { body },
      });
      expect(response.status).toBe(201);
      comments.push(response.body);
    }
    expect(comments.map((comment) => comment.body)).toEqual(bodies);

    const listed = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments?limit=100`);
    expect(listed.body.items.map((comment) => comment.body)).toEqual(bodies);

    for (const comment of comments) {
      const frame = await watcher.next(isCreated(comment.id));
      expect(frame).toMatchObject({ topic: `post:${post.id}`, data: { id: comment.id, body: comment.body } });
      expect((frame.data as Comment).body).toBe(comment.body);
      const toast = await feed.next(isCreated(comment.id));
      expect(toast).toMatchObject({ topic: 'feed' });
      expect((toast.data as Comment).body).toBe(comment.body);
    }

    // CommentCreated travels bus -> posts' queue -> countComments.
    const counted = await eventually(async () => {
      const current = await request<Post>('GET', `/api/v1/posts/${post.id}`);
      return current.body.commentCount === bodies.length ? current.body : undefined;
    });
    expect(counted.commentCount).toBe(bodies.length);
    watcher.close();
    feed.close();
  });
});
