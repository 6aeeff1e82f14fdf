import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CommentCreatedV1, CommentDeletedV1, ParsedEvent } from '@live-comments/events';
import {
  commentCreatedFrame,
  commentDeletedFrame,
  FEED_TOPIC,
  postTopic,
  type Topic,
} from '@live-comments/events/websocket';
import {
  continuationParts,
  isRetry,
  type PageBroadcast,
  type RetryBroadcast,
  retryDelaySeconds,
  retryOf,
  type TopicBroadcast,
} from './continuation';
import { type DeliveryPolicy, type DeliveryReport, deadlineOf, deliverFrame } from './delivery';
import type {
  ConnectionStore,
  ContinuationQueue,
  FrameSender,
  MetricsSink,
  SubscriptionStore,
} from './ports';
import { createSendRate, DEFAULT_SEND_RATE, type SendRate, type SendRateOptions } from './send-rate';
import type { SubscriberPage } from './subscription';

/** How the broadcaster retries, paces itself and keeps within its invocation. */
export interface BroadcastPolicy extends Omit<DeliveryPolicy, 'concurrency'> {
  sendRate: SendRateOptions;
  /**
   * Time kept before the Lambda timeout in which no send starts: for the
   * sends in flight to answer (the `@connections` client's timeout), the
   * continuations to be enqueued and the invocation to end.
   */
  budgetMarginMs: number;
}

export const DEFAULT_BROADCAST_POLICY: BroadcastPolicy = {
  maxAttempts: 3,
  retryBaseDelayMs: 50,
  sendRate: DEFAULT_SEND_RATE,
  budgetMarginMs: 5_000,
};

export interface BroadcastDeps {
  subscriptions: Pick<SubscriptionStore, 'subscribers'>;
  connections: Pick<ConnectionStore, 'close'>;
  /** One attempt per call: the broadcast retries. */
  sendFrame: FrameSender;
  /** Hands the next page, or the frames not sent, to another invocation (the fan-out queue). */
  continueLater: ContinuationQueue;
  metrics: MetricsSink;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  onPruneFailure?: (connectionId: string, error: unknown) => void;
  /** One line per page for operators (the logger carries the event's correlation id). */
  log?: (message: string, attributes: Record<string, unknown>) => void;
  /** Frames given up, for operators. */
  warn?: (message: string, attributes: Record<string, unknown>) => void;
  /** Subscribers per page (one Query, one invocation). */
  pageSize: number;
  /** PostToConnection calls in flight at once, per page. */
  concurrency: number;
  policy: BroadcastPolicy;
}

/**
 * One invocation of the broadcaster: its one send rate, shared by every
 * frame it sends, and the time after which it starts no send. The rate
 * starts where the previous invocation of the execution environment left it
 * (grown for the time between), so a warm container does not probe the
 * account's limit again from the top.
 */
export interface Invocation {
  rate: SendRate;
  until: number;
}

export const startInvocation = (
  deps: Pick<BroadcastDeps, 'now' | 'policy'>,
  remainingMs: number,
  previous?: Invocation,
): Invocation => ({
  rate: createSendRate(
    deps.now,
    previous ? { ...deps.policy.sendRate, initialPerSecond: previous.rate.resumed() } : deps.policy.sendRate,
  ),
  until: deps.now() + remainingMs - deps.policy.budgetMarginMs,
});

export interface PageOutcome {
  subscribers: number;
  delivered: number;
  gone: number;
  /** Frames tried and not delivered by this invocation: continued, or abandoned. */
  failed: number;
  /** 429 answers. */
  throttled: number;
  /** Frames handed on to a delayed continuation. */
  continued: number;
  /** Frames given up: past the deadline, or refused for good. */
  abandoned: number;
}

type CommentEvent = ParsedEvent<typeof CommentCreatedV1> | ParsedEvent<typeof CommentDeletedV1>;

/** The topics an event is announced on: its post's, and the feed for new comments. */
export const topicsOf = (event: CommentEvent): Topic[] => {
  const postTopicOfEvent = postTopic(event.detail.data.postId);
  return event.detailType === 'CommentCreated' ? [postTopicOfEvent, FEED_TOPIC] : [postTopicOfEvent];
};

/** The frame of API.md for an event on a topic, serialized. */
export const frameOf = (event: CommentEvent, topic: Topic): string =>
  JSON.stringify(
    event.detailType === 'CommentCreated'
      ? commentCreatedFrame(topic, event.detail.eventId, event.detail.data)
      : commentDeletedFrame(topic, event.detail.eventId, event.detail.data),
  );

/**
 * Starts reading a page of a topic's subscribers (a retry's are the
 * connections it carries). The read may begin before the page is known to
 * be due (alongside the idempotency check); it is awaited by
 * `broadcastPage`, and dropped without an unhandled rejection when the event
 * turns out to be a duplicate.
 */
export const readPage = (
  deps: Pick<BroadcastDeps, 'subscriptions' | 'pageSize'>,
  broadcast: Pick<PageBroadcast, 'topic' | 'cursor'> | Pick<RetryBroadcast, 'connectionIds'>,
): Promise<SubscriberPage> => {
  if ('connectionIds' in broadcast) return Promise.resolve({ connectionIds: broadcast.connectionIds });
  const page = deps.subscriptions.subscribers(broadcast.topic, {
    limit: deps.pageSize,
    ...(broadcast.cursor ? { cursor: broadcast.cursor } : {}),
  });
  page.catch(() => {});
  return page;
};

/** The first page of each of an event's topics, each read on its own (a large post must not hold up the feed). */
export type FirstPages = ReadonlyMap<Topic, Promise<SubscriberPage>>;

export const readFirstPages = (
  deps: Pick<BroadcastDeps, 'subscriptions' | 'pageSize'>,
  event: CommentEvent,
): FirstPages => new Map(topicsOf(event).map((topic) => [topic, readPage(deps, { topic })]));

/** Log lines name at most this many of the connections whose frames were abandoned. */
const ABANDONED_IDS_LOGGED = 100;

const abandonedAll = (connectionIds: readonly string[]): DeliveryReport => ({
  delivered: 0,
  gone: 0,
  failed: 0,
  throttled: 0,
  unsent: [],
  abandoned: connectionIds.map((connectionId) => ({ connectionId, reason: 'deadline' as const })),
});

/**
 * Sends one page of a topic's subscribers the frame (or a retry's frames).
 * The next page is handed on before this one is sent, so pages of a large
 * topic go out side by side rather than one after another. Every send takes
 * its turn from the invocation's rate; a closed connection (410) is
 * forgotten with its subscriptions; the frames that could not be sent before
 * the invocation's budget ran out (or after their attempts) go back to the
 * fan-out queue as a delayed retry of exactly those connections, until the
 * event's deadline, after which they are abandoned, counted and logged.
 * SQS does not retry the page for a failed frame: that would send it again
 * to the whole page.
 */
export const broadcastPage = async (
  deps: BroadcastDeps,
  {
    broadcast,
    invocation,
    pageRead = readPage(deps, broadcast),
  }: { broadcast: TopicBroadcast; invocation: Invocation; pageRead?: Promise<SubscriberPage> | undefined },
): Promise<PageOutcome> => {
  const page = await pageRead;
  const retry = isRetry(broadcast);
  if (page.next && !retry) {
    const { cursor: _previous, ...rest } = broadcast;
    await deps.continueLater({ ...rest, page: broadcast.page + 1, cursor: page.next });
  }

  const deadline = deadlineOf(broadcast.occurredAt);
  // A retry arriving after the deadline sends nothing: each of its frames has had its try.
  const report =
    retry && deps.now() >= deadline
      ? abandonedAll(page.connectionIds)
      : await deliverFrame(
          {
            sendFrame: deps.sendFrame,
            now: deps.now,
            sleep: deps.sleep,
            onGone: async (connectionId) => {
              try {
                await deps.connections.close(connectionId);
              } catch (error) {
                // TTL removes it later; the frame's fate is already settled.
                deps.onPruneFailure?.(connectionId, error);
              }
            },
          },
          { ...deps.policy, concurrency: deps.concurrency },
          {
            frame: broadcast.frame,
            connectionIds: page.connectionIds,
            rate: invocation.rate,
            until: invocation.until,
            deadline,
          },
        );

  if (report.unsent.length > 0) {
    const round = (retry ? broadcast.round : 0) + 1;
    const delaySeconds = retryDelaySeconds(round, deps.now(), deadline);
    await Promise.all(
      continuationParts(retryOf(broadcast, round), report.unsent).map((part) =>
        deps.continueLater(part, { delaySeconds }),
      ),
    );
  }

  const outcome: PageOutcome = {
    subscribers: page.connectionIds.length,
    delivered: report.delivered,
    gone: report.gone,
    failed: report.failed,
    throttled: report.throttled,
    continued: report.unsent.length,
    abandoned: report.abandoned.length,
  };
  // A retry's connections were counted in their page's fan-out already.
  if (!retry) deps.metrics.addMetric('FanOutSize', MetricUnit.Count, outcome.subscribers);
  deps.metrics.addMetric('Delivered', MetricUnit.Count, outcome.delivered);
  deps.metrics.addMetric('Gone', MetricUnit.Count, outcome.gone);
  deps.metrics.addMetric('Failed', MetricUnit.Count, outcome.failed);
  deps.metrics.addMetric('Throttled', MetricUnit.Count, outcome.throttled);
  deps.metrics.addMetric('FramesContinued', MetricUnit.Count, outcome.continued);
  deps.metrics.addMetric('FramesAbandoned', MetricUnit.Count, outcome.abandoned);
  deps.log?.('Broadcast page sent', {
    eventId: broadcast.eventId,
    topic: broadcast.topic,
    page: broadcast.page,
    ...(retry ? { round: broadcast.round } : {}),
    ...outcome,
    sendsPerSecond: Math.round(invocation.rate.perSecond),
  });
  if (report.abandoned.length > 0) {
    deps.warn?.('Frames abandoned', {
      eventId: broadcast.eventId,
      correlationId: broadcast.correlationId,
      topic: broadcast.topic,
      page: broadcast.page,
      occurredAt: broadcast.occurredAt,
      firstSeenAt: broadcast.firstSeenAt,
      frames: report.abandoned.length,
      pastDeadline: report.abandoned.filter((frame) => frame.reason === 'deadline').length,
      rejected: report.abandoned.filter((frame) => frame.reason === 'rejected').length,
      connectionIds: report.abandoned.slice(0, ABANDONED_IDS_LOGGED).map((frame) => frame.connectionId),
    });
  }
  if (outcome.subscribers > 0) {
    deps.metrics.addMetric(
      'EventAgeAtDelivery',
      MetricUnit.Milliseconds,
      Math.max(0, deps.now() - Date.parse(broadcast.occurredAt)),
    );
  }
  return outcome;
};

/** Announces a comment event on each of its topics, starting with the first page of each. */
export const broadcastEvent = async (
  deps: BroadcastDeps,
  {
    event,
    invocation,
    firstPages = readFirstPages(deps, event),
  }: { event: CommentEvent; invocation: Invocation; firstPages?: FirstPages | undefined },
): Promise<PageOutcome[]> => {
  const firstSeenAt = new Date(deps.now()).toISOString();
  // Topics side by side: the feed's first page must not wait for a large post's.
  return Promise.all(
    topicsOf(event).map((topic) =>
      broadcastPage(deps, {
        broadcast: {
          eventId: event.detail.eventId,
          correlationId: event.detail.correlationId,
          occurredAt: event.detail.occurredAt,
          firstSeenAt,
          topic,
          frame: frameOf(event, topic),
          page: 0,
        },
        invocation,
        pageRead: firstPages.get(topic),
      }),
    ),
  );
};
