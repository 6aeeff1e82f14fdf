import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CommentCreatedV1, CommentDeletedV1, ParsedEvent } from '@live-comments/events';
import {
  commentCreatedFrame,
  commentDeletedFrame,
  FEED_TOPIC,
  postTopic,
  type Topic,
} from '@live-comments/events/websocket';
import { forEachWithConcurrency } from './concurrency';
import type { TopicBroadcast } from './continuation';
import type {
  ConnectionStore,
  ContinuationQueue,
  FrameSender,
  MetricsSink,
  SubscriptionStore,
} from './ports';
import type { SubscriberPage } from './subscription';

export interface BroadcastDeps {
  subscriptions: Pick<SubscriptionStore, 'subscribers'>;
  connections: Pick<ConnectionStore, 'close'>;
  sendFrame: FrameSender;
  /** Hands the next page to another invocation (the fan-out queue). */
  continueLater: ContinuationQueue;
  metrics: MetricsSink;
  now: () => number;
  onPruneFailure?: (connectionId: string, error: unknown) => void;
  /** One line per page for operators (the logger carries the event's correlation id). */
  log?: (message: string, attributes: Record<string, unknown>) => void;
  /** Subscribers per page (one Query, one invocation). */
  pageSize: number;
  /** PostToConnection calls in flight at once. */
  concurrency: number;
}

export interface PageOutcome {
  subscribers: number;
  delivered: number;
  gone: number;
  failed: number;
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
 * Starts reading a page of a topic's subscribers. The read may begin before
 * the page is known to be due (alongside the idempotency check); it is
 * awaited by `broadcastPage`, and dropped without an unhandled rejection
 * when the event turns out to be a duplicate.
 */
export const readPage = (
  deps: Pick<BroadcastDeps, 'subscriptions' | 'pageSize'>,
  { topic, cursor }: Pick<TopicBroadcast, 'topic' | 'cursor'>,
): Promise<SubscriberPage> => {
  const page = deps.subscriptions.subscribers(topic, {
    limit: deps.pageSize,
    ...(cursor ? { cursor } : {}),
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

/**
 * Sends one page of a topic's subscribers the frame. The next page is handed
 * on before this one is sent, so pages of a large topic go out side by side
 * rather than one after another. A closed connection (410) is forgotten with
 * its subscriptions; a send that keeps failing is counted, not retried by SQS,
 * since that would send the frame again to the whole page.
 */
export const broadcastPage = async (
  deps: BroadcastDeps,
  broadcast: TopicBroadcast,
  pageRead: Promise<SubscriberPage> = readPage(deps, broadcast),
): Promise<PageOutcome> => {
  const page = await pageRead;
  if (page.next) {
    const { cursor: _previous, ...rest } = broadcast;
    await deps.continueLater({ ...rest, page: broadcast.page + 1, cursor: page.next });
  }

  const outcome: PageOutcome = { subscribers: page.connectionIds.length, delivered: 0, gone: 0, failed: 0 };
  await forEachWithConcurrency(page.connectionIds, deps.concurrency, async (connectionId) => {
    const result = await deps.sendFrame(connectionId, broadcast.frame);
    outcome[result]++;
    if (result !== 'gone') return;
    try {
      await deps.connections.close(connectionId);
    } catch (error) {
      // TTL removes it later; the frame's fate is already settled.
      deps.onPruneFailure?.(connectionId, error);
    }
  });

  deps.metrics.addMetric('FanOutSize', MetricUnit.Count, outcome.subscribers);
  deps.metrics.addMetric('Delivered', MetricUnit.Count, outcome.delivered);
  deps.metrics.addMetric('Gone', MetricUnit.Count, outcome.gone);
  deps.metrics.addMetric('Failed', MetricUnit.Count, outcome.failed);
  deps.log?.('Broadcast page sent', {
    eventId: broadcast.eventId,
    topic: broadcast.topic,
    page: broadcast.page,
    ...outcome,
  });
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
  event: CommentEvent,
  firstPages: FirstPages = readFirstPages(deps, event),
): Promise<PageOutcome[]> => {
  // Topics side by side: the feed's first page must not wait for a large post's.
  return Promise.all(
    topicsOf(event).map((topic) =>
      broadcastPage(
        deps,
        {
          eventId: event.detail.eventId,
          correlationId: event.detail.correlationId,
          occurredAt: event.detail.occurredAt,
          topic,
          frame: frameOf(event, topic),
          page: 0,
        },
        firstPages.get(topic),
      ),
    ),
  );
};
