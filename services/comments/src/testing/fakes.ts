import { type DetailOf, detailOf } from '@live-comments/events';
import type { RateLimit } from '@live-comments/shared';
import { memoryRateLimiter } from '@live-comments/shared/testing';
import { type CommentRow, toDeletion } from '../domain/comment';
import { createComment, type NewComment } from '../domain/create-comment';
import { type CommentDeletion, deleteComment } from '../domain/delete-comment';
import type { KnownPost, PostLookup } from '../domain/known-post';
import type { CommentPublisher, Comments, DeletionPosition, KnownPosts, PostsReader } from '../domain/ports';
import type { CommentsDeps } from '../side-effects';

/** An in-memory KnownPosts with the table's semantics. */
export const fakeKnownPosts = () => {
  const rows = new Map<
    string,
    { authorId?: string; createdAt?: string; updatedAt?: string; deletedAt?: string; nextSeq?: number }
  >();
  const posts: KnownPosts = {
    takeNextSeq: async (postId) => {
      const row = rows.get(postId);
      if (!row || row.deletedAt) return undefined;
      row.nextSeq = (row.nextSeq ?? 0) + 1;
      return row.nextSeq;
    },
    recordPost: async ({ id, authorId, createdAt, updatedAt }) => {
      const row = rows.get(id);
      if (row?.deletedAt || (row?.updatedAt && row.updatedAt > updatedAt)) return;
      rows.set(id, { ...row, authorId, createdAt, updatedAt });
    },
    recordPostIfUnknown: async ({ id, authorId, createdAt, updatedAt }) => {
      if (!rows.has(id)) rows.set(id, { authorId, createdAt, updatedAt });
    },
    markPostDeleted: async ({ id, authorId, deletedAt }) => {
      const row = rows.get(id);
      rows.set(id, { ...row, authorId: row?.authorId ?? authorId, deletedAt: row?.deletedAt ?? deletedAt });
    },
    isDeleted: async (postId) => rows.get(postId)?.deletedAt !== undefined,
  };
  /** What a new comment's transaction checks: the post is recorded and not deleted. */
  const isLive = (postId: string) => {
    const row = rows.get(postId);
    return row !== undefined && row.deletedAt === undefined;
  };
  return { posts, rows, isLive };
};

/**
 * The posts service as its public route answers: `found` for the posts it was
 * given, `not-found` for the rest; `unavailable(reason)` makes it answer that
 * until `available()`. `asked` lists the post ids it was asked for.
 */
/** A post as the comments service knows it: by bob, created and last updated at `at`. */
export const knownPost = (id: string, at = '2026-03-01T00:00:00.000Z', updatedAt = at): KnownPost => ({
  id,
  authorId: 'bob',
  createdAt: at,
  updatedAt,
});

export const fakePostsReader = () => {
  const posts = new Map<string, KnownPost>();
  const asked: { postId: string; correlationId: string }[] = [];
  let down: string | undefined;
  const reader: PostsReader = {
    find: async (postId, { correlationId }): Promise<PostLookup> => {
      asked.push({ postId, correlationId });
      if (down !== undefined) return { status: 'unavailable', reason: down };
      const post = posts.get(postId);
      return post ? { status: 'found', post: structuredClone(post) } : { status: 'not-found' };
    },
  };
  return {
    reader,
    asked,
    /** A post the posts service has (created, not deleted). */
    add: (post: KnownPost) => {
      posts.set(post.id, post);
    },
    remove: (postId: string) => {
      posts.delete(postId);
    },
    unavailable: (reason = 'connect ECONNREFUSED') => {
      down = reason;
    },
    available: () => {
      down = undefined;
    },
  };
};

/**
 * An in-memory Comments with the table's semantics (including the outbox
 * index); `isLive` is the known-posts check of a new comment's transaction
 * (every post is live unless told otherwise).
 */
export const fakeComments = (isLive: (postId: string) => boolean = () => true) => {
  const rows = new Map<string, CommentRow>();
  const keyOf = (row: { postId: string; seq: number }) => `${row.postId}#${row.seq}`;
  const sorted = () => [...rows.values()].sort((a, b) => a.postId.localeCompare(b.postId) || a.seq - b.seq);
  const comments: Comments = {
    insert: async (row) => {
      if (!isLive(row.postId)) return 'no-post';
      if (rows.has(keyOf(row))) throw new Error('ConditionalCheckFailed: seq taken');
      rows.set(keyOf(row), structuredClone(row));
      return 'inserted';
    },
    list: async (postId, { afterSeq, limit }) => {
      const live = sorted().filter((row) => row.postId === postId && row.seq > afterSeq && !row.deletedAt);
      const page = live.slice(0, limit);
      const last = page.at(-1);
      return live.length > limit && last ? { rows: page, lastSeq: last.seq } : { rows: page };
    },
    findById: async (commentId) => structuredClone(sorted().find((row) => row.id === commentId)),
    markDeleted: async (row, deletion) => {
      const stored = rows.get(keyOf(row));
      if (!stored || stored.deletedAt) return undefined;
      Object.assign(stored, deletion, {
        outboxShard: row.outboxShard ?? 'pending-0',
        pendingSince: deletion.deletedAt,
      });
      return structuredClone(stored);
    },
    settleCreated: async (row) => {
      const stored = rows.get(keyOf(row));
      if (!stored || stored.eventId !== row.eventId) return;
      delete stored.publishState;
      if (!stored.deletedAt) {
        delete stored.outboxShard;
        delete stored.pendingSince;
      }
    },
    settleDeleted: async (row, expiresAt) => {
      const stored = rows.get(keyOf(row));
      if (!stored || stored.deleteEventId !== row.deleteEventId) return;
      for (const key of ['body', 'publishState', 'outboxShard', 'pendingSince'] as const) delete stored[key];
      stored.expiresAt = expiresAt;
    },
    listDeleted: async (postId, { since, after, limit }) => {
      // The index's order: deletedAt, then the table's sort key.
      const isAfter = (row: DeletionPosition, start: DeletionPosition) =>
        row.deletedAt > start.deletedAt || (row.deletedAt === start.deletedAt && row.seq > start.seq);
      const deleted = sorted()
        .flatMap((row) => (row.postId === postId && row.deletedAt ? [toDeletion(row, row.deletedAt)] : []))
        .filter((row) => row.deletedAt > since && (!after || isAfter(row, after)))
        .sort((a, b) => a.deletedAt.localeCompare(b.deletedAt) || a.seq - b.seq);
      const page = deleted.slice(0, limit);
      const last = page.at(-1);
      return deleted.length > limit && last
        ? { deletions: page, last: { deletedAt: last.deletedAt, seq: last.seq } }
        : { deletions: page };
    },
    pendingSince: async (before, limit) =>
      sorted()
        .filter((row) => row.outboxShard && row.pendingSince && row.pendingSince < before)
        .slice(0, limit)
        .map((row) => structuredClone(row)),
    removeAllOf: async (postId) => {
      const mine = sorted().filter((row) => row.postId === postId);
      for (const row of mine) rows.delete(keyOf(row));
      return mine.length;
    },
  };
  return { comments, rows };
};

export interface PublishedEvent {
  detailType: string;
  data: unknown;
  eventId: string | undefined;
  correlationId: string;
  occurredAt: string | undefined;
}

/** A publisher that records what it publishes; `failNext(n)` makes the next n calls throw. */
export const fakePublisher = () => {
  const published: PublishedEvent[] = [];
  let failures = 0;
  const publisher: CommentPublisher = {
    publish: async (contract, data, options) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('PutEvents failed');
      }
      const detail = detailOf({ contract, data, options });
      published.push({
        detailType: contract.detailType,
        data,
        eventId: options.eventId,
        correlationId: options.correlationId,
        occurredAt: options.occurredAt,
      });
      return detail as DetailOf<typeof contract>;
    },
  };
  return {
    publisher,
    published,
    failNext: (count = 1) => {
      failures = count;
    },
  };
};

/** A clock that stands still until moved. */
export const fakeClock = (start = '2026-03-01T12:00:00.000Z') => {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};

/** Ids `id-1`, `id-2`, ... in order. */
export const sequentialIds = (prefix = 'id') => {
  let next = 0;
  return () => `${prefix}-${++next}`;
};

/** Every side effect of the service, faked together; `deps` is what handlers and domain functions take. */
export const fakeSideEffects = (options: { writeLimit?: RateLimit } = {}) => {
  const knownPosts = fakeKnownPosts();
  const postsService = fakePostsReader();
  const comments = fakeComments(knownPosts.isLive);
  const publisher = fakePublisher();
  const time = fakeClock();
  // Generous: tests about comments never meet it; write-limit tests lower it.
  const writeLimit = memoryRateLimiter(options.writeLimit ?? { perMinute: 600, burst: 100 }, () =>
    time.clock().getTime(),
  );
  const deps: CommentsDeps = {
    posts: knownPosts.posts,
    postsReader: postsService.reader,
    comments: comments.comments,
    publisher: publisher.publisher,
    clock: time.clock,
    newId: sequentialIds(),
    stage: 'test',
    idempotencyTable: 'test-comments-idempotency',
    writeLimit,
  };
  return {
    deps,
    postRows: knownPosts.rows,
    /** The posts service behind the fake reader: what it has, what it was asked, whether it answers. */
    postsService,
    commentRows: comments.rows,
    published: publisher.published,
    failNextPublish: publisher.failNext,
    advance: time.advance,
    /** Every user whose write was counted, in order. */
    limitedWrites: writeLimit.taken,
    /** Makes a post known, as a PostCreated would. */
    knowPost: (id: string, authorId = 'post-author') =>
      knownPosts.posts.recordPost({
        id,
        authorId,
        createdAt: '2026-03-01T00:00:00.000Z',
        updatedAt: '2026-03-01T00:00:00.000Z',
      }),
    /** A comment made as a request makes it (alice on p1 unless told otherwise). */
    createComment: (input: Partial<NewComment> = {}) =>
      createComment(deps, { postId: 'p1', authorId: 'alice', body: 'x', correlationId: 'c', ...input }),
    /** A comment deleted as a request deletes it (by alice, on p1, unless told otherwise). */
    deleteComment: (commentId: string, input: Partial<Omit<CommentDeletion, 'commentId'>> = {}) =>
      deleteComment(deps, { postId: 'p1', commentId, userId: 'alice', correlationId: 'd', ...input }),
  };
};

export type FakeSideEffects = ReturnType<typeof fakeSideEffects>;

/** The fakes with the known post p1 and one comment on it (by alice unless told otherwise). */
export const fakesWithComment = async (
  input: Partial<NewComment> = {},
  options: Parameters<typeof fakeSideEffects>[0] = {},
) => {
  const world = fakeSideEffects(options);
  await world.knowPost('p1');
  const { id: commentId } = await world.createComment(input);
  return { world, commentId };
};
