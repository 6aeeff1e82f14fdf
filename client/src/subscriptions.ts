import type { ClientFrame, Comment, CommentDeleted, Topic } from './types';

/** One watch of a topic, as the connection sees it. */
export interface Watcher {
  created(comment: Comment, eventId: string): void;
  deleted(deleted: CommentDeleted, eventId: string): void;
  /**
   * The server confirmed the subscription (after every connect): time to catch
   * up. `at`: when the server stored it, on its clock (absent from older servers).
   */
  subscribed(at: string | undefined): void;
  error(error: Error): void;
}

export interface SubscriptionsOptions {
  /** Whether frames can be sent now (every open subscribes again anyway). */
  isOpen(): boolean;
  send(frame: ClientFrame): void;
  nextRequestId(): string;
  /**
   * How long a topic stays subscribed after its last watch closed, so that
   * leaving a page and coming back does not unsubscribe and subscribe again.
   */
  lingerMs: number;
  /** How long to wait for `unsubscribed` before subscribing the topic again anyway. */
  unsubscribeTimeoutMs: number;
}

interface TopicState {
  watchers: Set<Watcher>;
  /** The server confirmed the subscription on this connection. */
  confirmed: boolean;
  /** The confirmation's `at`, for a watch that joins the confirmed topic. */
  at?: string;
  /** The request id of a subscribe waiting for its answer. */
  subscribing?: string;
  /** The request id of an unsubscribe waiting for its answer. */
  unsubscribing?: string;
  /** Unsubscribes after the last watch closed, unless one comes back first. */
  linger?: ReturnType<typeof setTimeout>;
  /** Gives up waiting for `unsubscribed`. */
  unsubscribeTimeout?: ReturnType<typeof setTimeout>;
}

/**
 * The topics of one client and their subscription on the current connection.
 * API Gateway hands each frame to its own Lambda invocation, so an
 * `unsubscribe` and a `subscribe` sent back to back can be applied in either
 * order; a topic watched again while its unsubscribe is in flight is
 * subscribed only once that unsubscribe is answered (or has timed out).
 */
export class Subscriptions {
  private readonly topics = new Map<Topic, TopicState>();

  constructor(private readonly options: SubscriptionsOptions) {}

  watchersOf(topic: Topic): Iterable<Watcher> {
    return this.topics.get(topic)?.watchers ?? [];
  }

  /** Adds a watch; the returned function removes it. */
  watch(topic: Topic, watcher: Watcher): () => void {
    let state = this.topics.get(topic);
    if (!state) {
      state = { watchers: new Set(), confirmed: false };
      this.topics.set(topic, state);
      state.watchers.add(watcher);
      this.subscribe(topic, state);
    } else {
      state.watchers.add(watcher);
      clearTimeout(state.linger); // a lingering subscription is kept
      state.linger = undefined;
      if (state.confirmed) watcher.subscribed(state.at);
    }
    return () => this.unwatch(topic, watcher);
  }

  /** A new connection: every watched topic is subscribed again. */
  opened(): void {
    for (const [topic, state] of this.topics) {
      if (state.watchers.size === 0) {
        this.forget(topic, state);
        continue;
      }
      this.subscribe(topic, state);
    }
  }

  /** The topics a new connection must subscribe to carry on (watched, not being unsubscribed). */
  activeTopics(): Topic[] {
    return [...this.topics]
      .filter(([, state]) => state.watchers.size > 0 && !state.unsubscribing)
      .map(([topic]) => topic);
  }

  /**
   * The connection was replaced by one on which `confirmed` topics are
   * subscribed already (make-before-break, `at` of each): their watchers hear
   * `subscribed` (and so catch up); other watched topics are subscribed on
   * the new connection; what was lingering or unsubscribing on the old one
   * went with it.
   */
  handedOver(confirmed: ReadonlyMap<Topic, string | undefined>): void {
    for (const [topic, state] of this.topics) {
      this.clearTimer(state);
      state.subscribing = undefined;
      state.unsubscribing = undefined;
      state.confirmed = false;
      state.at = undefined;
      if (state.watchers.size === 0) {
        this.topics.delete(topic);
        continue;
      }
      if (confirmed.has(topic)) this.subscribed(topic, undefined, confirmed.get(topic));
      else this.subscribe(topic, state);
    }
  }

  /** The connection is gone, and with it every subscription on it. */
  closed(): void {
    for (const [topic, state] of this.topics) {
      this.clearTimer(state);
      state.confirmed = false;
      state.at = undefined;
      state.subscribing = undefined;
      state.unsubscribing = undefined;
      if (state.watchers.size === 0) this.topics.delete(topic);
    }
  }

  subscribed(topic: Topic, requestId: string | undefined, at: string | undefined): void {
    const state = this.topics.get(topic);
    if (!state || state.unsubscribing) return;
    if (requestId && state.subscribing && requestId !== state.subscribing) return; // an older answer
    state.subscribing = undefined;
    state.confirmed = true;
    state.at = at;
    for (const watcher of state.watchers) watcher.subscribed(at);
  }

  unsubscribed(topic: Topic, requestId: string | undefined): void {
    const state = this.topics.get(topic);
    if (!state?.unsubscribing || (requestId && requestId !== state.unsubscribing)) return;
    this.afterUnsubscribe(topic, state);
  }

  /** An error frame answering one of our subscribes: true when it was one. */
  /**
   * A subscribe was refused: its watchers are told. With `retryAfterMs` (a
   * refusal that a later try may pass, such as `rate_limited`) the topic is
   * subscribed again after that long, if it is still watched by then.
   */
  refused(requestId: string, error: (topic: Topic) => Error, retryAfterMs?: number): boolean {
    for (const [topic, state] of this.topics) {
      if (state.subscribing !== requestId) continue;
      state.subscribing = undefined;
      const refusal = error(topic);
      for (const watcher of state.watchers) watcher.error(refusal);
      if (retryAfterMs !== undefined) {
        setTimeout(() => {
          if (this.topics.get(topic) === state && !state.confirmed && !state.subscribing) {
            this.subscribe(topic, state);
          }
        }, retryAfterMs);
      }
      return true;
    }
    return false;
  }

  private subscribe(topic: Topic, state: TopicState): void {
    if (state.unsubscribing || !this.options.isOpen()) return; // subscribed once answered, or on open
    const requestId = this.options.nextRequestId();
    this.options.send({ action: 'subscribe', topic, requestId });
    state.subscribing = requestId;
  }

  private unwatch(topic: Topic, watcher: Watcher): void {
    const state = this.topics.get(topic);
    if (!state?.watchers.delete(watcher) || state.watchers.size > 0 || state.unsubscribing) return;
    clearTimeout(state.linger);
    state.linger = setTimeout(() => {
      state.linger = undefined;
      if (!state.confirmed && !state.subscribing) {
        this.topics.delete(topic); // never subscribed on this connection: nothing to undo
        return;
      }
      state.confirmed = false;
      state.at = undefined;
      state.subscribing = undefined;
      if (!this.options.isOpen()) {
        this.topics.delete(topic);
        return;
      }
      const requestId = this.options.nextRequestId();
      this.options.send({ action: 'unsubscribe', topic, requestId });
      state.unsubscribing = requestId;
      state.unsubscribeTimeout = setTimeout(
        () => this.afterUnsubscribe(topic, state),
        this.options.unsubscribeTimeoutMs,
      );
    }, this.options.lingerMs);
  }

  private afterUnsubscribe(topic: Topic, state: TopicState): void {
    this.clearTimer(state);
    state.unsubscribing = undefined;
    if (state.watchers.size > 0) this.subscribe(topic, state);
    else this.topics.delete(topic);
  }

  private forget(topic: Topic, state: TopicState): void {
    this.clearTimer(state);
    this.topics.delete(topic);
  }

  private clearTimer(state: TopicState): void {
    clearTimeout(state.linger);
    clearTimeout(state.unsubscribeTimeout);
    state.linger = undefined;
    state.unsubscribeTimeout = undefined;
  }
}
