import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Topic } from '@live-comments/events/websocket';
import type { Connection } from './connection';
import type { TopicBroadcast } from './continuation';
import type { SubscriberCursor, SubscriberPage, Subscription } from './subscription';

/** The connection records and the open-connections counter. */
export interface ConnectionStore {
  /** Records an open connection; a repeated `$connect` of the same id counts once. */
  open(connection: Connection): Promise<void>;
  /**
   * Forgets a connection and its subscriptions. Returns false when it was
   * already gone, so `$disconnect` and a broadcaster's prune never count it twice.
   */
  close(connectionId: string): Promise<boolean>;
  /** How many connections are open, from the counter (never a Scan). */
  countOpen(): Promise<number>;
  /** Ids of the connections in one `connectedHour` partition opened before `connectedAt` (ISO time). */
  openedBefore(connectedHour: string, connectedAt: string): Promise<string[]>;
  /** Ids of the connections in one `tokenExpiryHour` partition whose token expired at or before `nowSeconds`. */
  tokenExpiredBy(tokenExpiryHour: string, nowSeconds: number): Promise<string[]>;
  /**
   * Spends one frame from the connection's budget (frame-budget.ts) on its
   * record: `tat = max(tat, now) + intervalMs`, atomically, exact under
   * concurrent frames, and answers the new `tat`. Undefined when the
   * connection has no record (closed meanwhile).
   */
  spendFrame(connectionId: string, now: number, intervalMs: number): Promise<number | undefined>;
}

/** What a subscribe did: stored (or already there: idempotent), or refused at the connection's cap. */
export type SubscribeOutcome = 'subscribed' | 'limit_reached';

/** Who is subscribed to which topic. */
export interface SubscriptionStore {
  /**
   * Idempotent: subscribing twice to a topic is one subscription, counted
   * once. A new one is stored only while the connection has fewer than
   * `maxPerConnection` (its record counts them, in the same transaction).
   * Throws when the connection has no record.
   */
  subscribe(subscription: Subscription, maxPerConnection: number): Promise<SubscribeOutcome>;
  /** Idempotent: unsubscribing from a topic one is not subscribed to does nothing (and counts nothing). */
  unsubscribe(topic: Topic, connectionId: string): Promise<void>;
  /** One page of a topic's subscribers, by Query on the topic (never a Scan). */
  subscribers(topic: string, options: { limit: number; cursor?: SubscriberCursor }): Promise<SubscriberPage>;
}

/**
 * What became of one frame sent to one connection: `gone` the connection is
 * closed (410); `throttled` the account's limit answered 429; `failed` a 5xx,
 * a network error or a timeout (a later try may pass); `rejected` another 4xx
 * (no try will pass).
 */
export type DeliveryOutcome = 'delivered' | 'gone' | 'throttled' | 'failed' | 'rejected';

/** Sends one frame (JSON text) to one connection; never throws. */
export type FrameSender = (connectionId: string, frame: string) => Promise<DeliveryOutcome>;

/** A handshake's token that verified: its user (`sub`) and its `exp` (epoch seconds). */
export interface VerifiedToken {
  userId: string;
  expiresAt: number;
}

/** Why a token did not verify, in a word for the log (`expired`, `alg`, `token_use`, ...). */
export interface RefusedToken {
  refused: string;
}

/** Verifies a handshake's token; throws only when the verification could not be made (issuer unreachable). */
export type TokenVerifier = (token: string) => Promise<VerifiedToken | RefusedToken>;

/** Closes a connection (`@connections` DELETE); one already gone is no error. */
export type ConnectionCloser = (connectionId: string) => Promise<void>;

/**
 * Hands part of a broadcast to another invocation (the fan-out queue): the
 * next page, or the frames this one could not send, after `delaySeconds`
 * (0 to 900). The broadcast must fit one message (`continuationParts`).
 */
export type ContinuationQueue = (next: TopicBroadcast, options?: { delaySeconds?: number }) => Promise<void>;

/** Where the broadcaster's figures go (Powertools metrics in production). */
export type MetricsSink = Pick<Metrics, 'addMetric'>;
