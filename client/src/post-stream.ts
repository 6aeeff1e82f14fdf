import type { Comment } from './types';

/** Reads a post's comments after `afterSeq`, oldest first, every page (the HTTP API's list). */
export type ReadAfter = (afterSeq: number) => Promise<Comment[]>;

export interface PostStreamOptions {
  /** Comments the caller already has: the stream delivers those with a higher `seq`. */
  afterSeq: number;
  readAfter: ReadAfter;
  deliver: (comment: Comment) => void;
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
 */
export class PostStream {
  private watermark: number;
  private readonly ahead = new Map<number, Comment>();
  private readonly skipped = new Set<number>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private stalledReads = 0;
  private closed = false;

  constructor(private readonly options: PostStreamOptions) {
    this.watermark = options.afterSeq;
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
    this.ahead.set(comment.seq, comment);
    this.drain();
    if (this.ahead.size > 0 && !this.reading) this.startGapTimer();
  }

  /**
   * Reads everything after the watermark over HTTP: on every (re)subscription,
   * since frames published while the socket was down were never sent.
   */
  catchUp(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.stopGapTimer();
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.readAgain && !this.closed) {
        this.readAgain = false;
        void this.catchUp();
      } else if (this.ahead.size > 0) this.startGapTimer();
    });
    return this.reading;
  }

  close(): void {
    this.closed = true;
    this.stopGapTimer();
    this.ahead.clear();
  }

  private async read(): Promise<void> {
    let comments: Comment[];
    try {
      comments = await this.options.readAfter(this.watermark);
    } catch (error) {
      if (this.closed) return;
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
      setTimeout(() => void this.catchUp(), this.options.retryMs);
      return;
    }
    if (this.closed) return;
    const before = this.watermark;
    for (const comment of comments) {
      if (comment.seq > this.watermark && !this.ahead.has(comment.seq)) this.ahead.set(comment.seq, comment);
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

  /** Delivers the comments that follow the watermark without a gap. */
  private drain(): void {
    for (let next = this.ahead.get(this.watermark + 1); next; next = this.ahead.get(this.watermark + 1)) {
      this.ahead.delete(next.seq);
      this.watermark = next.seq;
      this.options.deliver(next);
    }
    if (this.ahead.size === 0) this.stopGapTimer();
  }

  private skipUpTo(seq: number): void {
    for (let missing = this.watermark + 1; missing <= seq; missing++) {
      if (!this.ahead.has(missing)) this.skipped.add(missing);
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
