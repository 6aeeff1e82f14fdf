import type { Topic } from '@live-comments/events/websocket';

/** A connection's subscription to a topic: it gets the topic's frames until it unsubscribes or closes. */
export interface Subscription {
  topic: Topic;
  connectionId: string;
  subscribedAt: string;
  /** TTL, epoch seconds: the connection's own. */
  expiresAt: number;
}

/** Where the next page of a topic's subscribers starts (DynamoDB's LastEvaluatedKey). */
export type SubscriberCursor = Record<string, unknown>;

export interface SubscriberPage {
  connectionIds: string[];
  next?: SubscriberCursor;
}
