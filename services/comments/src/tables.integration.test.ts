/**
 * The comments service's adapters and domain against a real DynamoDB engine
 * (the local cloud's: dynalite plus its TransactWriteItems, in process, on a
 * free port), with the tables created from this service's own serverless.yml.
 * Checks what the SDK mocks cannot: that the expressions are valid, the
 * sparse index fills and empties, counters count, and a comment's transaction
 * refuses a deleted post.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PostCreatedV1, PostDeletedV1, parseEventMessage } from '@live-comments/events';
import { eventBridgeMessage } from '@live-comments/events/testing';
import type { Edge } from '@live-comments/local-cloud/edge/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeWithTables } from '../../../tests/integration/support/tables';
import { buildCommentsTable } from './adapters/comments-table';
import { buildKnownPostsTable } from './adapters/known-posts-table';
import type { Comment } from './domain/comment';
import { createComment } from './domain/create-comment';
import { deleteComment } from './domain/delete-comment';
import { listComments } from './domain/list-comments';
import { listDeletedComments } from './domain/list-deleted-comments';
import { republishPending } from './domain/outbox';
import { type PostEvent, projectPostEvent } from './domain/project-posts';
import { fakeClock, fakePostsReader, fakePublisher, sequentialIds } from './testing/fakes';

describe('comments tables (the local cloud’s DynamoDB)', () => {
  let edge: Edge;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    ({ edge, client } = await edgeWithTables(new URL('../serverless.yml', import.meta.url), {
      CommentsTable: 'it-comments',
      KnownPostsTable: 'it-comments-posts',
    }));
  });

  afterAll(async () => {
    await edge.stop();
  });

  const world = () => {
    const publisher = fakePublisher();
    const postsService = fakePostsReader();
    const time = fakeClock();
    const deps = {
      posts: buildKnownPostsTable({ client, tableName: 'it-comments-posts' }),
      postsReader: postsService.reader,
      comments: buildCommentsTable({
        client,
        tableName: 'it-comments',
        knownPostsTableName: 'it-comments-posts',
      }),
      publisher: publisher.publisher,
      clock: time.clock,
      newId: sequentialIds(`id-${Math.random().toString(36).slice(2)}`),
    };
    const project = (body: string) =>
      projectPostEvent(deps, parseEventMessage([PostCreatedV1, PostDeletedV1], body) as PostEvent);
    const knowPost = (id: string) =>
      project(
        eventBridgeMessage(PostCreatedV1, {
          id,
          authorId: 'bob',
          title: 't',
          body: 'b',
          createdAt: '2026-03-01T00:00:00.000Z',
          updatedAt: '2026-03-01T00:00:00.000Z',
        }),
      );
    const deletePost = (id: string) =>
      project(
        eventBridgeMessage(PostDeletedV1, { id, authorId: 'bob', deletedAt: '2026-03-02T00:00:00.000Z' }),
      );
    /** Deletes a comment as `userId` (its author, alice, unless told otherwise). */
    const remove = (postId: string, commentId: string, userId = 'alice') =>
      deleteComment(deps, { postId, commentId, userId, correlationId: 'del' });
    return { deps, publisher, postsService, time, knowPost, deletePost, remove };
  };

  /** Every row of a post's comments (tombstones included), read consistently. */
  const storedCommentsOf = async (postId: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: 'it-comments',
          KeyConditionExpression: 'postId = :postId',
          ExpressionAttributeValues: { ':postId': postId },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  const rowOf = ({
    id,
    ...post
  }: {
    id: string;
    authorId: string;
    createdAt: string;
    updatedAt: string;
  }) => ({
    postId: id,
    ...post,
  });

  const say = (postId: string, body: string, authorId = 'alice') => ({
    postId,
    authorId,
    body,
    correlationId: 'c',
  });

  it('numbers concurrent comments 1..n and lists them oldest first, page by page', async () => {
    const { deps, knowPost } = world();
    await knowPost('post-a');

    await Promise.all(Array.from({ length: 12 }, (_, i) => createComment(deps, say('post-a', `c${i}`))));

    const first = await listComments(deps, { postId: 'post-a', limit: 5 });
    const rest = await listComments(deps, { postId: 'post-a', limit: 20, cursor: first.nextCursor ?? '' });
    const later = await listComments(deps, { postId: 'post-a', limit: 20, afterSeq: 10 });
    expect([...first.items, ...rest.items].map((c) => c.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(later.items.map((c) => c.seq)).toEqual([11, 12]);
  });

  it('refuses comments on unknown and deleted posts', async () => {
    const { deps, knowPost, deletePost } = world();
    await knowPost('post-b');
    await createComment(deps, say('post-b', 'hi'));

    await expect(createComment(deps, say('post-unknown', 'hi'))).rejects.toThrow('Post not found.');
    await deletePost('post-b');
    await expect(createComment(deps, say('post-b', 'again'))).rejects.toThrow('Post not found.');
    expect((await listComments(deps, { postId: 'post-b', limit: 20 })).items).toEqual([]);
  });

  it('records a post read from the posts service only where no event wrote first', async () => {
    const { deps, postsService, knowPost, deletePost } = world();
    const read = (id: string) => ({
      id,
      authorId: 'carol',
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    for (const id of ['post-fresh', 'post-known', 'post-gone']) postsService.add(read(id));
    await knowPost('post-known');
    await deletePost('post-gone');

    const fresh = await createComment(deps, say('post-fresh', 'quick'));
    await deps.posts.recordPostIfUnknown(read('post-known'));
    await deps.posts.recordPostIfUnknown(read('post-gone'));

    expect(fresh.seq).toBe(1);
    const row = async (postId: string) =>
      (await client.send(new GetCommand({ TableName: 'it-comments-posts', Key: { postId } }))).Item;
    expect(await row('post-fresh')).toEqual({ ...rowOf(read('post-fresh')), nextSeq: 1 });
    expect(await row('post-known')).toMatchObject({ authorId: 'bob' });
    expect(await row('post-gone')).toEqual({
      postId: 'post-gone',
      authorId: 'bob',
      deletedAt: '2026-03-02T00:00:00.000Z',
    });
    await expect(createComment(deps, say('post-gone', 'late'))).rejects.toThrow('Post not found.');
  });

  it('stores no comment for a post deleted between its number and its write', async () => {
    const { deps, knowPost, deletePost } = world();
    await knowPost('post-race');
    const kept = await createComment(deps, say('post-race', 'before'));
    const takeNextSeq = deps.posts.takeNextSeq;
    deps.posts.takeNextSeq = async (postId) => {
      const seq = await takeNextSeq(postId);
      await deletePost(postId); // PostDeleted handled meanwhile: the row marked, its comments removed
      return seq;
    };

    await expect(createComment(deps, say('post-race', 'late'))).rejects.toThrow('Post not found.');

    expect(await storedCommentsOf('post-race')).toEqual([]);
    expect(kept.seq).toBe(1);
    const post = await client.send(
      new GetCommand({ TableName: 'it-comments-posts', Key: { postId: 'post-race' } }),
    );
    expect(post.Item).toMatchObject({ nextSeq: 2, deletedAt: '2026-03-02T00:00:00.000Z' });
  });

  it('lists nothing for a post whose deletion is recorded, even before its comments are removed', async () => {
    const { deps, knowPost } = world();
    await knowPost('post-closing');
    await createComment(deps, say('post-closing', 'one'));
    await createComment(deps, say('post-closing', 'two'));

    await deps.posts.markPostDeleted({
      id: 'post-closing',
      authorId: 'bob',
      deletedAt: '2026-03-02T00:00:00.000Z',
    });

    expect(await listComments(deps, { postId: 'post-closing', limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('keeps unannounced comments and deletions in the outbox until the sweep announces them', async () => {
    const { deps, knowPost, publisher, time, remove } = world();
    await knowPost('post-c');
    publisher.failNext(3);
    const kept = await createComment(deps, say('post-c', 'kept'));
    const removed = await createComment(deps, say('post-c', 'removed'));
    await remove('post-c', removed.id);
    expect(publisher.published).toHaveLength(0);
    expect((await listComments(deps, { postId: 'post-c', limit: 20 })).items.map((c) => c.id)).toEqual([
      kept.id,
    ]);

    time.advance(31_000);
    const result = await republishPending(deps);

    expect(result.failed).toBe(0);
    expect(result.failures).toEqual([]);
    expect(publisher.published.map((e) => `${e.detailType}:${(e.data as { id: string }).id}`).sort()).toEqual(
      [`CommentCreated:${kept.id}`, `CommentCreated:${removed.id}`, `CommentDeleted:${removed.id}`].sort(),
    );
    const keptRow = await client.send(
      new GetCommand({ TableName: 'it-comments', Key: { postId: 'post-c', seq: 1 } }),
    );
    expect(keptRow.Item?.publishState).toBeUndefined();
    expect(keptRow.Item?.outboxShard).toBeUndefined();
    // The deleted one is a settled tombstone: out of the outbox, its body gone, a week to live.
    const removedRow = await client.send(
      new GetCommand({ TableName: 'it-comments', Key: { postId: 'post-c', seq: 2 } }),
    );
    expect(removedRow.Item).toMatchObject({ id: removed.id, deletedAt: '2026-03-01T12:00:00.000Z' });
    expect(removedRow.Item?.expiresAt).toBe(Date.parse('2026-03-08T12:00:00.000Z') / 1000);
    for (const gone of ['body', 'publishState', 'outboxShard', 'pendingSince']) {
      expect(removedRow.Item).not.toHaveProperty(gone);
    }

    time.advance(60_000);
    expect(await republishPending(deps)).toEqual({ found: 0, announced: 0, failed: 0, failures: [] });
    expect(publisher.published).toHaveLength(3);
  });

  it('lists a post’s deletions from the sparse deletedByPost index, after since, page by page', async () => {
    const { deps, knowPost, time, remove } = world();
    await knowPost('post-f');
    await knowPost('post-g');
    const comments: Comment[] = [];
    for (let i = 0; i < 6; i++) comments.push(await createComment(deps, say('post-f', `c${i}`)));
    const elsewhere = await createComment(deps, say('post-g', 'other post'));
    const deleteAt = async (postId: string, commentId: string) => {
      time.advance(1_000);
      await remove(postId, commentId);
    };
    for (const index of [4, 0, 2, 5]) await deleteAt('post-f', comments[index]?.id ?? '');
    await deleteAt('post-g', elsewhere.id);

    const since = '2026-03-01T12:00:01.000Z'; // the first deletion's time: not after it
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await listDeletedComments(deps, {
        postId: 'post-f',
        since,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(pages.flat()).toEqual(
      [0, 2, 5].map((index, n) => ({
        id: comments[index]?.id,
        postId: 'post-f',
        authorId: 'alice',
        seq: index + 1,
        deletedAt: `2026-03-01T12:00:0${n + 2}.000Z`,
      })),
    );
    expect(pages[0]).toHaveLength(2);
    // The index holds tombstones only, and never their bodies.
    const indexed = await client.send(
      new QueryCommand({
        TableName: 'it-comments',
        IndexName: 'deletedByPost',
        KeyConditionExpression: 'postId = :postId',
        ExpressionAttributeValues: { ':postId': 'post-f' },
      }),
    );
    expect(indexed.Items?.map((item) => item.seq)).toEqual([5, 1, 3, 6]);
    expect(indexed.Items?.every((item) => !('body' in item))).toBe(true);
    expect((await listComments(deps, { postId: 'post-f', limit: 20 })).items.map((c) => c.seq)).toEqual([
      2, 4,
    ]);
  });

  it('fills comment pages past a long run of kept tombstones, and pages on to the end', async () => {
    const { deps, knowPost, remove } = world();
    await knowPost('post-h');
    const comments: Comment[] = [];
    for (let i = 0; i < 40; i++) comments.push(await createComment(deps, say('post-h', `c${i + 1}`)));
    // An abuse wave: 3..37 deleted (35 tombstones, more than five reads of a small page's size).
    for (const comment of comments.slice(2, 37)) await remove('post-h', comment.id);

    const seen: number[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listComments(deps, { postId: 'post-h', limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.seq));
      sizes.push(page.items.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toEqual([1, 2, 38, 39, 40]);
    expect(sizes).toEqual([4, 1]); // full pages: past the first tombstones it reads 100 at a time
  });

  it('finds a comment by id for its author only', async () => {
    const { deps, knowPost, remove } = world();
    await knowPost('post-d');
    const comment = await createComment(deps, say('post-d', 'mine'));

    await expect(remove('post-d', comment.id, 'mallory')).rejects.toThrow('Only the author');
    await remove('post-d', comment.id);
    await expect(remove('post-d', comment.id)).rejects.toThrow('Comment not found.');
  });

  it('removes every comment of a deleted post, beyond one page', async () => {
    const { deps, knowPost, deletePost, remove } = world();
    await knowPost('post-e');
    const made: Comment[] = [];
    for (let i = 0; i < 130; i++) made.push(await createComment(deps, say('post-e', `c${i}`)));
    for (const comment of made.slice(0, 3)) await remove('post-e', comment.id);

    await deletePost('post-e');

    expect((await listComments(deps, { postId: 'post-e', limit: 100 })).items).toEqual([]);
    // The tombstones go with it.
    const since = '2000-01-01T00:00:00.000Z';
    expect((await listDeletedComments(deps, { postId: 'post-e', since, limit: 100 })).items).toEqual([]);
    expect(await storedCommentsOf('post-e')).toEqual([]);
  });
});
