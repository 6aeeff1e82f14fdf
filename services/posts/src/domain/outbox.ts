import { type EventToPublish, PostCreatedV1, PostDeletedV1, PostUpdatedV1 } from '@live-comments/events';
import { logger, metrics } from '@live-comments/shared';
import type { Clock, CountedCommentsStore, PostPublisher, PostsStore } from './ports';
import type { StoredPost } from './post';

/**
 * Why an outbox: the comments service keeps its own projection of posts fed by
 * PostCreated/PostDeleted, so a lost PostCreated would make every comment on
 * that post a 404. Each write therefore stores the fact to announce in the post
 * row itself (its outbox slot, indexed by a sparse GSI), the request publishes
 * it right after the write and empties the slot, and `republishPosts` sweeps
 * the slots a crashed or failed request left behind. A request whose publish
 * fails still answers success: the write is durable and the sweep announces it
 * within minutes. (A transaction with a separate outbox item would do too; the
 * slot on the row needs none, so a write stays one conditional call.)
 *
 * Consumers see PostCreated/PostUpdated as snapshots of the post (compare
 * `updatedAt`), may see one twice, and dedupe on `eventId`, which a republish
 * keeps.
 *
 * A deleted post's tombstone goes only once its comment markers have gone
 * (the counted-comments table, see `counted-comment.ts`): the tombstone is
 * what stops new markers being written for the post, and, while it is there
 * with its PostDeleted in the slot, the sweep finds what is left to remove. A
 * request removes up to `MARKERS_ON_REQUEST` of them; a post with more keeps
 * its tombstone, and the sweep republishes its PostDeleted (same event id)
 * and removes up to `MARKERS_PER_SWEEP` more each minute.
 */
export interface OutboxDeps {
  posts: PostsStore;
  countedComments: Pick<CountedCommentsStore, 'forget'>;
  publisher: PostPublisher;
  clock: Clock;
}

/** Markers of a deleted post removed on the request path (20 BatchWriteItem calls at most). */
export const MARKERS_ON_REQUEST = 500;
/** Markers of a deleted post removed per sweep (200 BatchWriteItem calls at most). */
export const MARKERS_PER_SWEEP = 5_000;

/** What a sweep did: rows found due, events announced, events left in the outbox for the next sweep. */
export interface RepublishResult {
  found: number;
  announced: number;
  failed: number;
}

export const PUBLISH_FAILED_METRIC = 'PostEventPublishFailed';

/** The event of a post's outbox slot, with the post as it is now. */
export const eventOf = (stored: StoredPost): EventToPublish | undefined => {
  const { post, pending } = stored;
  if (!pending) return undefined;
  const options = {
    eventId: pending.eventId,
    correlationId: pending.correlationId,
    occurredAt: pending.occurredAt,
  };
  if (pending.type === 'PostDeleted') {
    return {
      contract: PostDeletedV1,
      data: { id: post.id, authorId: post.authorId, deletedAt: stored.deletedAt ?? pending.occurredAt },
      options,
    };
  }
  const snapshot = {
    id: post.id,
    authorId: post.authorId,
    title: post.title,
    body: post.body,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
  };
  const contract = pending.type === 'PostCreated' ? PostCreatedV1 : PostUpdatedV1;
  return { contract, data: snapshot, options } as EventToPublish;
};

/**
 * Publishes the pending events of these posts (one PutEvents) and empties
 * their slots (a deleted post's once up to `markers` of its comment markers
 * are removed and none is left). Never throws: what fails stays in the outbox
 * for the next sweep.
 */
const announceBatch = async (
  deps: OutboxDeps,
  stored: StoredPost[],
  markers: number,
): Promise<Omit<RepublishResult, 'found'>> => {
  const due = stored.flatMap((s) => {
    const event = eventOf(s);
    return event && s.pending ? [{ stored: s, pending: s.pending, event }] : [];
  });
  if (due.length === 0) return { announced: 0, failed: 0 };
  try {
    await deps.publisher.publishAll(due.map((d) => d.event));
  } catch (error) {
    logger.warn('Publishing post events failed; they stay in the outbox', {
      error: error as Error,
      eventIds: due.map((d) => d.pending.eventId),
    });
    metrics.addMetric(PUBLISH_FAILED_METRIC, 'Count', due.length);
    return { announced: 0, failed: due.length };
  }
  for (const { stored: s, pending } of due) {
    try {
      if (pending.type === 'PostDeleted' && !(await deps.countedComments.forget(s.post.id, markers))) {
        logger.info('Comment markers of a deleted post left for the sweep', { postId: s.post.id });
        continue;
      }
      await deps.posts.settle(s.post.id, pending);
    } catch (error) {
      // Published but still marked: the sweep publishes it again under the same event id.
      logger.warn('Emptying the outbox slot failed', { error: error as Error, eventId: pending.eventId });
    }
  }
  return { announced: due.length, failed: 0 };
};

/**
 * On the request path, right after the write: publishes what the post owes
 * and empties its slot. Never throws: a failure is logged and counted, and the
 * event stays in the outbox for `republishPending`.
 */
export const announce = async (deps: OutboxDeps, stored: StoredPost): Promise<void> => {
  await announceBatch(deps, [stored], MARKERS_ON_REQUEST);
};

/** PutEvents takes 10 entries per call. */
const SWEEP_BATCH = 10;

/**
 * The sweep of `republishPosts`: announces every slot older than the grace
 * period (younger ones belong to requests still in flight), in batches, while
 * there is time left.
 */
export const republishPending = async (
  deps: OutboxDeps,
  options: { graceSeconds: number; hasTimeLeft: () => boolean },
): Promise<RepublishResult> => {
  const dueBefore = new Date(deps.clock().getTime() - options.graceSeconds * 1000).toISOString();
  const result: RepublishResult = { found: 0, announced: 0, failed: 0 };
  const add = ({ announced, failed }: Omit<RepublishResult, 'found'>) => {
    result.announced += announced;
    result.failed += failed;
  };
  let batch: StoredPost[] = [];
  for await (const stored of deps.posts.pending(dueBefore)) {
    result.found += 1;
    batch.push(stored);
    if (batch.length === SWEEP_BATCH) {
      add(await announceBatch(deps, batch, MARKERS_PER_SWEEP));
      batch = [];
      if (!options.hasTimeLeft()) break;
    }
  }
  add(await announceBatch(deps, batch, MARKERS_PER_SWEEP));
  if (result.found > 0) logger.info('Outbox sweep', { ...result });
  return result;
};
