import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  batchGetAll,
  decodeCursor,
  encodeCursor,
  isConditionalCheckFailed,
  type Page,
} from '@live-comments/shared';
import { z } from 'zod';
import type { PostsStore } from '../domain/ports';
import {
  type AuthorWriteOutcome,
  type Post,
  type PostCounter,
  postId,
  type StoredPost,
} from '../domain/post';

/**
 * The posts table (`${stage}-posts`, key `id`). A live post carries
 * `listKey = "post"`, which puts it in the `byCreatedAt` index (the newest-first
 * list); a deleted post is a tombstone without `listKey` until its PostDeleted
 * is announced. The outbox slot (`outbox*` attributes) is indexed by the sparse
 * `byPendingEvent` index: only rows with something left to announce are in it.
 */
export const LIST_KEY = 'post';
export const LIST_INDEX = 'byCreatedAt';
export const PENDING_INDEX = 'byPendingEvent';
const PENDING = 'pending';
export const POSTS_CURSOR_SCOPE = 'posts';

/** `#name` placeholders for every attribute an expression mentions, so no name can collide with a reserved word. */
const names = (...attributes: string[]): Record<string, string> =>
  Object.fromEntries(attributes.map((attribute) => [`#${attribute}`, attribute]));

/** True of a post that exists and is not a tombstone (with `names('id', 'deletedAt')`). */
const LIVE_POST = 'attribute_exists(#id) AND attribute_not_exists(#deletedAt)';

/**
 * Moves a counter of a live post by `delta`, never below zero: the update
 * fails its condition when the post is missing, deleted, or the count would go
 * negative. Shared by `adjustCounter` and the transactions of the favorites
 * and of the counted comments.
 */
export const counterUpdate = (tableName: string, id: string, counter: PostCounter, delta: number) => ({
  TableName: tableName,
  Key: { id },
  UpdateExpression: 'ADD #counter :delta',
  ConditionExpression: `${LIVE_POST}${delta < 0 ? ' AND #counter >= :needed' : ''}`,
  ExpressionAttributeNames: { ...names('id', 'deletedAt'), '#counter': counter },
  ExpressionAttributeValues: { ':delta': delta, ...(delta < 0 ? { ':needed': -delta } : {}) },
});

/** A transaction's check that the post is live, changing nothing on it. */
export const livePostCheck = (tableName: string, id: string) => ({
  TableName: tableName,
  Key: { id },
  ConditionExpression: LIVE_POST,
  ExpressionAttributeNames: names('id', 'deletedAt'),
});

const listCursorKey = z.strictObject({
  id: postId,
  listKey: z.literal(LIST_KEY),
  createdAt: z.iso.datetime(),
});

const row = z.object({
  id: z.string(),
  authorId: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  commentCount: z.number(),
  favoriteCount: z.number(),
  deletedAt: z.string().optional(),
  outboxEventId: z.string().optional(),
  outboxEventType: z.enum(['PostCreated', 'PostUpdated', 'PostDeleted']).optional(),
  outboxAt: z.string().optional(),
  outboxCorrelationId: z.string().optional(),
});
type Row = z.infer<typeof row>;

const toPost = (r: Row): Post => ({
  id: r.id,
  authorId: r.authorId,
  title: r.title,
  body: r.body,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  commentCount: r.commentCount,
  favoriteCount: r.favoriteCount,
});

const toStored = (item: unknown): StoredPost => {
  const r = row.parse(item);
  return {
    post: toPost(r),
    ...(r.deletedAt ? { deletedAt: r.deletedAt } : {}),
    ...(r.outboxEventId && r.outboxEventType && r.outboxAt
      ? {
          pending: {
            eventId: r.outboxEventId,
            type: r.outboxEventType,
            occurredAt: r.outboxAt,
            correlationId: r.outboxCorrelationId ?? r.outboxEventId,
          },
        }
      : {}),
  };
};

const live = (item: unknown): Post | undefined => {
  const stored = toStored(item);
  return stored.deletedAt ? undefined : stored.post;
};

const OUTBOX_ATTRIBUTES = [
  'outboxState',
  'outboxAt',
  'outboxEventId',
  'outboxEventType',
  'outboxCorrelationId',
];
const AUTHOR_WRITE_CONDITION =
  'attribute_exists(#id) AND attribute_not_exists(#deletedAt) AND #authorId = :me';

export interface PostsTableOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Waits between BatchGetItem attempts on unprocessed keys; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
}

export const buildPostsTable = ({ client, tableName, sleep }: PostsTableOptions): PostsStore => {
  /** After a refused author write: one strongly consistent read tells a missing post from someone else's. */
  const whyRefused = async (id: string, authorId: string): Promise<AuthorWriteOutcome> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
    );
    if (!Item) return { outcome: 'not_found' };
    const stored = toStored(Item);
    if (stored.deletedAt) return { outcome: 'not_found' };
    if (stored.post.authorId !== authorId) return { outcome: 'forbidden' };
    return { outcome: 'conflict' };
  };

  const authorWrite = async (
    id: string,
    authorId: string,
    command: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<AuthorWriteOutcome> => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id },
          ConditionExpression: AUTHOR_WRITE_CONDITION,
          ReturnValues: 'ALL_NEW',
          ...command,
        }),
      );
      return { outcome: 'written', stored: toStored(Attributes) };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return whyRefused(id, authorId);
      throw error;
    }
  };

  return {
    create: async ({ post, pending }) => {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...post,
            listKey: LIST_KEY,
            outboxState: PENDING,
            outboxAt: pending.occurredAt,
            outboxEventId: pending.eventId,
            outboxEventType: pending.type,
            outboxCorrelationId: pending.correlationId,
          },
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: names('id'),
        }),
      );
    },

    get: async (id) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
      );
      return Item ? live(Item) : undefined;
    },

    getMany: async (ids) => {
      const keys = [...new Set(ids)].map((id) => ({ id }));
      const items = await batchGetAll(client, tableName, keys, sleep ? { sleep } : {});
      return items.flatMap((item) => {
        const post = live(item);
        return post ? [post] : [];
      });
    },

    list: async ({ limit, cursor }) => {
      const { Items, LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: LIST_INDEX,
          KeyConditionExpression: '#listKey = :post',
          ExpressionAttributeNames: names('listKey'),
          ExpressionAttributeValues: { ':post': LIST_KEY },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, POSTS_CURSOR_SCOPE, listCursorKey) } : {}),
        }),
      );
      const items = (Items ?? []).flatMap((item) => {
        const post = live(item);
        return post ? [post] : [];
      });
      const nextCursor = LastEvaluatedKey ? encodeCursor(POSTS_CURSOR_SCOPE, LastEvaluatedKey) : null;
      return { items, nextCursor } satisfies Page<Post>;
    },

    update: ({ postId: id, authorId, changes, event }) => {
      const set = [
        '#updatedAt = :now',
        '#outboxState = :pending',
        '#outboxAt = :now',
        '#outboxEventId = :eventId',
        '#outboxCorrelationId = :correlationId',
        // An unannounced creation stays a PostCreated, now carrying the edited post.
        '#outboxEventType = if_not_exists(#outboxEventType, :updated)',
      ];
      const values: Record<string, unknown> = {
        ':me': authorId,
        ':now': event.occurredAt,
        ':pending': PENDING,
        ':eventId': event.eventId,
        ':correlationId': event.correlationId,
        ':updated': 'PostUpdated',
      };
      // DynamoDB refuses names and values an expression does not use: add only the changed fields.
      const changed: string[] = [];
      if (changes.title !== undefined) {
        set.push('#title = :title');
        values[':title'] = changes.title;
        changed.push('title');
      }
      if (changes.body !== undefined) {
        set.push('#body = :body');
        values[':body'] = changes.body;
        changed.push('body');
      }
      return authorWrite(id, authorId, {
        UpdateExpression: `SET ${set.join(', ')}`,
        ExpressionAttributeNames: names(
          'id',
          'deletedAt',
          'authorId',
          'updatedAt',
          ...changed,
          ...OUTBOX_ATTRIBUTES,
        ),
        ExpressionAttributeValues: values,
      });
    },

    markDeleted: ({ postId: id, authorId, event }) =>
      authorWrite(id, authorId, {
        UpdateExpression:
          'SET #deletedAt = :now, #outboxState = :pending, #outboxAt = :now, #outboxEventId = :eventId, ' +
          '#outboxCorrelationId = :correlationId, #outboxEventType = :deleted REMOVE #listKey',
        ExpressionAttributeNames: names('id', 'deletedAt', 'authorId', 'listKey', ...OUTBOX_ATTRIBUTES),
        ExpressionAttributeValues: {
          ':me': authorId,
          ':now': event.occurredAt,
          ':pending': PENDING,
          ':eventId': event.eventId,
          ':correlationId': event.correlationId,
          ':deleted': 'PostDeleted',
        },
      }),

    settle: async (id, event) => {
      const guard = {
        // Only the event that was published: a newer write owns the slot otherwise.
        ConditionExpression: '#outboxEventId = :eventId',
        ExpressionAttributeValues: { ':eventId': event.eventId },
      };
      try {
        if (event.type === 'PostDeleted') {
          await client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: { id },
              ExpressionAttributeNames: names('outboxEventId'),
              ...guard,
            }),
          );
        } else {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { id },
              UpdateExpression: `REMOVE ${OUTBOX_ATTRIBUTES.map((a) => `#${a}`).join(', ')}`,
              ExpressionAttributeNames: names(...OUTBOX_ATTRIBUTES),
              ...guard,
            }),
          );
        }
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    },

    pending: async function* (dueBefore) {
      const pages = paginateQuery(
        { client, pageSize: 100 },
        {
          TableName: tableName,
          IndexName: PENDING_INDEX,
          KeyConditionExpression: '#outboxState = :pending AND #outboxAt < :dueBefore',
          ExpressionAttributeNames: names('outboxState', 'outboxAt'),
          ExpressionAttributeValues: { ':pending': PENDING, ':dueBefore': dueBefore },
          ScanIndexForward: true,
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) yield toStored(item);
    },

    adjustCounter: async (id, counter: PostCounter, delta) => {
      try {
        await client.send(new UpdateCommand(counterUpdate(tableName, id, counter, delta)));
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },
  };
};
