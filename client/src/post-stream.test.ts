import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostStream, type ReadAfter } from './post-stream';
import type { Comment } from './types';

const comment = (seq: number): Comment => ({
  id: `c${seq}`,
  postId: 'p1',
  authorId: 'alice',
  body: `comment ${seq}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  seq,
});

/** The HTTP list over a set of stored comments (what `afterSeq` returns). */
const storeOf = (...seqs: number[]) => {
  const stored = new Set(seqs);
  const readAfter = vi.fn<ReadAfter>(async (afterSeq) =>
    [...stored]
      .filter((seq) => seq > afterSeq)
      .sort((a, b) => a - b)
      .map(comment),
  );
  return { stored, readAfter };
};

const streamOf = (readAfter: ReadAfter, afterSeq = 0) => {
  const delivered: number[] = [];
  const errors: Error[] = [];
  const stream = new PostStream({
    afterSeq,
    readAfter,
    deliver: (c) => delivered.push(c.seq),
    gapWaitMs: 1_000,
    retryMs: 2_000,
    onError: (error) => errors.push(error),
  });
  return { stream, delivered, errors };
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PostStream', () => {
  it('delivers live comments in order, each once, without reading', () => {
    const { readAfter } = storeOf();
    const { stream, delivered } = streamOf(readAfter);
    for (const seq of [1, 2, 2, 3, 1]) stream.receive(comment(seq));
    expect(delivered).toEqual([1, 2, 3]);
    expect(readAfter).not.toHaveBeenCalled();
  });

  it('holds a comment that arrives ahead of its predecessor until the gap fills', () => {
    const { readAfter } = storeOf();
    const { stream, delivered } = streamOf(readAfter);
    stream.receive(comment(2));
    stream.receive(comment(3));
    expect(delivered).toEqual([]);
    stream.receive(comment(1));
    expect(delivered).toEqual([1, 2, 3]);
    vi.advanceTimersByTime(5_000);
    expect(readAfter).not.toHaveBeenCalled();
  });

  it('reads a gap that stays open, and skips numbers the read does not have (deleted, or a failed write)', async () => {
    const { readAfter } = storeOf(1, 3, 4); // 2 was taken by a write that failed
    const { stream, delivered } = streamOf(readAfter);
    stream.receive(comment(1));
    stream.receive(comment(4));
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(readAfter).toHaveBeenCalledWith(1);
    expect(delivered).toEqual([1, 3, 4]);
    expect(stream.lastSeq).toBe(4);
  });

  it('catches up over HTTP from the watermark (a reconnect), then merges the live frames', async () => {
    const { readAfter, stored } = storeOf(1, 2, 3, 4, 5);
    const { stream, delivered } = streamOf(readAfter, 2);
    const reading = stream.catchUp();
    stored.add(6);
    stream.receive(comment(6)); // arrives during the read, which did not see it
    stream.receive(comment(4)); // duplicate of what the read returns
    await reading;
    expect(readAfter).toHaveBeenCalledWith(2);
    expect(delivered).toEqual([3, 4, 5, 6]);
  });

  it('keeps a live comment beyond what the read returned waiting, then reads again rather than skip', async () => {
    // 7 is being written slowly: 8 arrived live, but the first read saw neither.
    const { readAfter, stored } = storeOf(5, 6);
    const { stream, delivered } = streamOf(readAfter, 5);
    const reading = stream.catchUp();
    stream.receive(comment(8));
    await reading;
    expect(delivered).toEqual([6]);
    stored.add(7);
    stored.add(8);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([6, 7, 8]);
  });

  it('gives up waiting for a number no read returns (created, then deleted at once)', async () => {
    const { readAfter } = storeOf(1); // 2 was deleted, 3 deleted too before any read
    const { stream, delivered } = streamOf(readAfter);
    stream.receive(comment(1));
    stream.receive(comment(3));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([1, 3]);
    expect(readAfter).toHaveBeenCalledTimes(2);
  });

  it('delivers late, once, a comment whose number was skipped', async () => {
    const { readAfter } = storeOf(1, 3);
    const { stream, delivered } = streamOf(readAfter);
    stream.receive(comment(1));
    stream.receive(comment(3));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered).toEqual([1, 3]);
    stream.receive(comment(2)); // the slow writer's frame
    stream.receive(comment(2));
    expect(delivered).toEqual([1, 3, 2]);
  });

  it('retries a failed read and reports the error', async () => {
    const { readAfter } = storeOf(1, 2);
    readAfter.mockRejectedValueOnce(new Error('network down'));
    const { stream, delivered, errors } = streamOf(readAfter);
    await stream.catchUp();
    expect(errors.map((e) => e.message)).toEqual(['network down']);
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(delivered).toEqual([1, 2]);
  });

  it('reads once more when asked to catch up during a read', async () => {
    const { readAfter, stored } = storeOf(1);
    const { stream, delivered } = streamOf(readAfter);
    const first = stream.catchUp();
    stored.add(2);
    void stream.catchUp();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(readAfter).toHaveBeenCalledTimes(2);
    expect(delivered).toEqual([1, 2]);
  });

  it('delivers nothing after close, even from a read in flight', async () => {
    const { readAfter } = storeOf(1, 2);
    const { stream, delivered } = streamOf(readAfter);
    const reading = stream.catchUp();
    stream.close();
    await reading;
    stream.receive(comment(3));
    expect(delivered).toEqual([]);
  });
});
