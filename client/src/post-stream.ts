import { RecentIds } from './recent-ids';
import type { Comment, CommentDeleted } from './types';

/** Reads a post's comments after `afterSeq`, oldest first, every page (the HTTP API's list). */
export type ReadAfter = (afterSeq: number) => Promise<Comment[]>;
/** Reads a post's deletions after `since` (ISO time), oldest first, every page (the deleted-comments list). */
export type ReadDeletedSince = (since: string) => Promise<CommentDeleted[]>;

/**
 * How far before the server's `at` the deletions read starts: `at` and
 * `deletedAt` come from the clocks of different Lambda hosts, and a deletion
 * is broadcast a little after its `deletedAt`. Reading a deletion twice
 * costs nothing (each is reported once).
 */
export const DELETIONS_MARGIN_MS = 10_000;

export interface PostStreamOptions {
  /** Comments the caller already has: the stream delivers those with a higher `seq`. */
  afterSeq: number;
  readAfter: ReadAfter;
  deliver: (comment: Comment) => void;
  readDeletedSince: ReadDeletedSince;
  /** Each deletion once, whether seen live or read after a (re)subscription. */
  deliverDeleted: (deleted: CommentDeleted) => void;
  /** How long a gap in `seq` may stay open before the missing comments are read over HTTP. */
  gapWaitMs: number;
  /** How long to wait before reading again after a failed read. */
  retryMs: number;
  onError: (error: Error) => void;
}

/**
 * One post's comments, each delivered exactly once and in `seq` order,
 * whatever the WebSocket does: frames may come twice (SQS delivers at least
 * once), out of order (standard queues), or not at all (while reconnecting).
 *
 * `watermark` is the highest seq below which nothing is owed. A live comment
 * right after it is delivered at once; one further ahead waits in `ahead`
 * for the gap to fill, and if it does not within `gapWaitMs`, the gap is read
 * over HTTP (`afterSeq=watermark`). What that read does not return is skipped:
 * its number was taken by a write that failed, or the comment was deleted.
 * A slow writer's comment can still arrive later than a higher one was read;
 * then it is delivered late rather than lost (`skipped` remembers those seqs).
 *
 * Deletions: each is reported once (by comment id), from a live frame or
 * from the deletions read after every (re)subscription, which covers what
 * was deleted while the socket was down. That read starts at the previous
 * subscription's `at` (the server's time it was stored: from then on, frames
 * came live) minus DELETIONS_MARGIN_MS; the first one reaches back to when
 * the post was watched (its history read), timed on this machine's clock. A
 * comment is never delivered after its deletion was seen, and its seq is
 * passed over. Deletions of comments this stream never delivered are
 * reported too: the app may show comments it got elsewhere (its own POST).
 */
export class PostStream {
  private watermark: number;
  private readonly ahead = new Map<number, Comment>();
  private readonly skipped = new Set<number>();
  /** Seqs above the watermark whose comments are deleted: nothing to wait for there. */
  private readonly gone = new Set<number>();
  private readonly deletedIds = new RecentIds(10_000);
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly comments: SerialRead<Comment[]>;
  private stalledReads = 0;
  private closed = false;
  private readonly watchedAt = Date.now();
  /** Server time (ms) the next deletions read starts from; undefined before the first `at`. */
  private deletionsFrom: number | undefined;
  /** Where `deletionsFrom` moves once the read has succeeded: the latest `at` minus the margin. */
  private deletionsUpTo: number | undefined;
  private readonly deletions: SerialRead<{ deletions: CommentDeleted[]; upTo: number } | undefined>;

  constructor(private readonly options: PostStreamOptions) {
    this.watermark = options.afterSeq;
    const closed = () => this.closed;
    this.comments = new SerialRead({
      read: () => options.readAfter(this.watermark),
      apply: (comments) => this.applyRead(comments),
      starting: () => this.stopGapTimer(),
      settled: () => {
        if (this.ahead.size > 0) this.startGapTimer();
      },
      closed,
      onError: options.onError,
      retryMs: options.retryMs,
    });
    this.deletions = new SerialRead({
      read: async () => {
        const from = this.deletionsFrom;
        const upTo = this.deletionsUpTo;
        if (from === undefined || upTo === undefined) return undefined;
        return { deletions: await options.readDeletedSince(new Date(from).toISOString()), upTo };
      },
      apply: (read) => {
        if (!read) return;
        for (const deletion of read.deletions) this.deleted(deletion);
        // Up to the `at` this read was made for: one confirmed meanwhile is read from here next.
        // A failed read leaves it: the retry, or the next subscription's read, starts there.
        this.deletionsFrom = read.upTo;
      },
      closed,
      onError: options.onError,
      retryMs: options.retryMs,
    });
  }

  /** The highest seq delivered or known to be missing. */
  get lastSeq(): number {
    return this.watermark;
  }

  /** A `comment.created` frame of this post. */
  receive(comment: Comment): void {
    if (this.closed) return;
    if (comment.seq <= this.watermark) {
      if (this.skipped.delete(comment.seq)) this.options.deliver(comment);
      return;
    }
    this.hold(comment);
    this.drain();
    if (this.ahead.size > 0 && !this.comments.busy) this.startGapTimer();
  }

  /** A `comment.deleted` frame of this post, or a deletion read over HTTP. */
  deleted(deletion: CommentDeleted): void {
    if (this.closed || !this.deletedIds.add(deletion.id)) return;
    // A frame or a read that still carries the comment is older than its deletion.
    this.skipped.delete(deletion.seq);
    if (deletion.seq > this.watermark) {
      this.ahead.delete(deletion.seq);
      this.gone.add(deletion.seq);
      this.drain();
    }
    this.options.deliverDeleted(deletion);
  }

  /**
   * The subscription was confirmed (after every connect): reads the comments
   * and the deletions the connection may have missed. `at` is the server's
   * time of the subscription; without it (an older server) deletions are
   * only seen live.
   */
  subscribed(at: string | undefined): void {
    void this.catchUp();
    const serverTime = at === undefined ? Number.NaN : Date.parse(at);
    if (this.closed || Number.isNaN(serverTime)) return;
    this.deletionsFrom ??= serverTime - DELETIONS_MARGIN_MS - (Date.now() - this.watchedAt);
    this.deletionsUpTo = serverTime - DELETIONS_MARGIN_MS;
    void this.deletions.run();
  }

  /**
   * Reads everything after the watermark over HTTP: on every (re)subscription,
   * since frames published while the socket was down were never sent.
   */
  catchUp(): Promise<void> {
    return this.comments.run();
  }

  close(): void {
    this.closed = true;
    this.stopGapTimer();
    this.comments.stop();
    this.deletions.stop();
    this.ahead.clear();
  }

  /** What a read of the comments after the watermark returned. */
  private applyRead(comments: Comment[]): void {
    const before = this.watermark;
    for (const comment of comments) {
      if (comment.seq > this.watermark && !this.ahead.has(comment.seq)) this.hold(comment);
    }
    // The read covers everything up to the highest seq it returned: what is
    // missing below that is skipped, not waited for. A live comment beyond it
    // (it arrived during the read) keeps waiting, unless reads stop making
    // progress (it was deleted at once, so no read will ever return it).
    const covered = this.stalledReads >= 1 ? Number.POSITIVE_INFINITY : (comments.at(-1)?.seq ?? before);
    for (const seq of [...this.ahead.keys()].sort((a, b) => a - b)) {
      if (seq > covered) break;
      this.skipUpTo(seq - 1);
      this.drain();
    }
    this.stalledReads = this.watermark === before && this.ahead.size > 0 ? this.stalledReads + 1 : 0;
  }

  /** Keeps a comment above the watermark until its turn, unless it is deleted already. */
  private hold(comment: Comment): void {
    if (this.deletedIds.has(comment.id)) this.gone.add(comment.seq);
    else this.ahead.set(comment.seq, comment);
  }

  /** Delivers the comments that follow the watermark without a gap, passing over deleted ones. */
  private drain(): void {
    for (;;) {
      const seq = this.watermark + 1;
      const next = this.ahead.get(seq);
      if (next) {
        this.ahead.delete(seq);
        this.watermark = seq;
        this.options.deliver(next);
      } else if (this.gone.delete(seq)) this.watermark = seq;
      else break;
    }
    if (this.ahead.size === 0) this.stopGapTimer();
  }

  private skipUpTo(seq: number): void {
    for (let missing = this.watermark + 1; missing <= seq; missing++) {
      if (!this.ahead.has(missing) && !this.gone.delete(missing)) this.skipped.add(missing);
    }
    if (seq > this.watermark) this.watermark = seq;
    // Bounded: a number skipped long ago will not come back.
    for (const old of this.skipped) {
      if (this.skipped.size <= 1000) break;
      this.skipped.delete(old);
    }
  }

  private startGapTimer(): void {
    if (this.gapTimer || this.closed) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      void this.catchUp();
    }, this.options.gapWaitMs);
  }

  private stopGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }
}

/**
 * A catch-up read that runs one at a time: asked again while it runs, it runs
 * once more afterwards (what changed meanwhile is read too); a failed read is
 * reported and tried again after `retryMs`. `apply` handles what a read
 * returned, outside the read's error handling.
 */
class SerialRead<T> {
  private running: Promise<void> | undefined;
  private again = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: {
      read: () => Promise<T>;
      apply: (result: T) => void;
      closed: () => boolean;
      onError: (error: Error) => void;
      retryMs: number;
      /** Before a read starts. */
      starting?: () => void;
      /** After a read that no further read follows at once. */
      settled?: () => void;
    },
  ) {}

  run(): Promise<void> {
    if (this.options.closed()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retry);
    this.retry = undefined;
    this.options.starting?.();
    this.running = this.attempt().finally(() => {
      this.running = undefined;
      if (this.again && !this.options.closed()) {
        this.again = false;
        void this.run();
      } else this.options.settled?.();
    });
    return this.running;
  }

  /** A read is running (a gap need not be timed: the read covers it). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  private async attempt(): Promise<void> {
    let result: T;
    try {
      result = await this.options.read();
    } catch (error) {
      if (this.options.closed()) return;
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
      this.retry = setTimeout(() => void this.run(), this.options.retryMs);
      return;
    }
    if (!this.options.closed()) this.options.apply(result);
  }
}
