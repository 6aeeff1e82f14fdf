import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DELETIONS_MARGIN_MS, PostStream, type ReadAfter, type ReadDeletedSince } from './post-stream';
import type { Comment, CommentDeleted } from './types';

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

const deletion = (seq: number, deletedAt = '2026-03-01T11:59:55.000Z'): CommentDeleted => ({
  id: `c${seq}`,
  postId: 'p1',
  authorId: 'alice',
  seq,
  deletedAt,
});

/** The deleted-comments list: what `since` returns is up to each test. */
const deletionsOf = (...deletions: CommentDeleted[]) => {
  const stored = [...deletions];
  const readDeletedSince = vi.fn<ReadDeletedSince>(async (since) =>
    stored.filter((d) => d.deletedAt > since),
  );
  return { stored, readDeletedSince };
};

const streamOf = (readAfter: ReadAfter, afterSeq = 0, readDeletedSince = deletionsOf().readDeletedSince) => {
  const delivered: number[] = [];
  const deleted: number[] = [];
  const errors: Error[] = [];
  const stream = new PostStream({
    afterSeq,
    readAfter,
    deliver: (c) => delivered.push(c.seq),
    readDeletedSince,
    deliverDeleted: (d) => deleted.push(d.seq),
    gapWaitMs: 1_000,
    retryMs: 2_000,
    onError: (error) => errors.push(error),
  });
  return { stream, delivered, deleted, errors };
};

const AT = '2026-03-01T12:00:00.000Z';
const secondsBefore = (at: string, seconds: number) =>
  new Date(Date.parse(at) - seconds * 1_000).toISOString();

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

describe('PostStream deletions', () => {
  it('reads them after the first subscription from its `at` minus the margin, back to when the post was watched', async () => {
    const { readAfter } = storeOf();
    const { readDeletedSince } = deletionsOf(deletion(1, secondsBefore(AT, 11)), deletion(2));
    const { stream, deleted } = streamOf(readAfter, 2, readDeletedSince);
    await vi.advanceTimersByTimeAsync(3_000); // the subscribe took 3 s to be confirmed

    stream.subscribed(AT);
    await vi.advanceTimersByTimeAsync(0);

    expect(DELETIONS_MARGIN_MS).toBe(10_000);
    expect(readDeletedSince).toHaveBeenCalledExactlyOnceWith(secondsBefore(AT, 13));
    expect(deleted).toEqual([1, 2]);
  });

  it('after a reconnect reads from the previous `at` minus the margin, and reports each deletion once', async () => {
    const { readAfter } = storeOf(1, 2, 3, 4);
    const { stored, readDeletedSince } = deletionsOf(deletion(1));
    const { stream, deleted } = streamOf(readAfter, 4, readDeletedSince);
    stream.subscribed(AT);
    await vi.advanceTimersByTimeAsync(0);
    expect(deleted).toEqual([1]);

    stream.deleted(deletion(2, '2026-03-01T12:05:00.000Z')); // live
    stream.deleted(deletion(2, '2026-03-01T12:05:00.000Z')); // the same frame again
    stored.push(deletion(2, '2026-03-01T12:05:00.000Z'), deletion(3, '2026-03-01T12:06:00.000Z'));
    const reconnected = '2026-03-01T12:10:00.000Z';
    stream.subscribed(reconnected); // the socket dropped; 3 was deleted meanwhile
    await vi.advanceTimersByTimeAsync(0);

    expect(readDeletedSince.mock.calls.at(-1)).toEqual([secondsBefore(AT, 10)]);
    expect(deleted).toEqual([1, 2, 3]);
    stream.subscribed('2026-03-01T12:20:00.000Z');
    await vi.advanceTimersByTimeAsync(0);
    expect(readDeletedSince.mock.calls.at(-1)).toEqual([secondsBefore(reconnected, 10)]);
    expect(deleted).toEqual([1, 2, 3]);
  });

  it('never delivers a comment after its deletion, and does not wait for its number', async () => {
    const { readAfter } = storeOf(1);
    const { stream, delivered, deleted } = streamOf(readAfter);
    stream.receive(comment(1));
    stream.receive(comment(3)); // waits for 2
    stream.deleted(deletion(3)); // deleted while waiting
    stream.deleted(deletion(5)); // deleted before its frame came
    stream.receive(comment(2));
    stream.receive(comment(3));
    stream.receive(comment(5));
    stream.receive(comment(4));
    stream.receive(comment(6));

    expect(delivered).toEqual([1, 2, 4, 6]);
    expect(deleted).toEqual([3, 5]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(readAfter).not.toHaveBeenCalled();
  });

  it('does not deliver a skipped number late once its comment is deleted, nor one a read returns', async () => {
    const { readAfter, stored } = storeOf(1, 3);
    const { stream, delivered, deleted } = streamOf(readAfter);
    stream.receive(comment(1));
    stream.receive(comment(3));
    await vi.advanceTimersByTimeAsync(1_000); // 2 is skipped
    stream.deleted(deletion(2));
    stream.receive(comment(2)); // the slow writer's frame, after the deletion
    stream.deleted(deletion(4));
    stored.add(4); // a read made before the deletion still returns it
    await stream.catchUp();

    expect(delivered).toEqual([1, 3]);
    expect(deleted).toEqual([2, 4]);
    expect(stream.lastSeq).toBe(4);
  });

  it('reports deletions of comments it never delivered (the app may show them from elsewhere)', async () => {
    const { readAfter } = storeOf();
    const { stream, deleted } = streamOf(readAfter);
    stream.deleted(deletion(9));
    expect(deleted).toEqual([9]);
  });

  it('keeps its watermark when a read fails, and retries from it', async () => {
    const { readAfter } = storeOf();
    const { readDeletedSince } = deletionsOf(deletion(1));
    readDeletedSince.mockRejectedValueOnce(new Error('network down'));
    const { stream, deleted, errors } = streamOf(readAfter, 0, readDeletedSince);
    stream.subscribed(AT);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => e.message)).toEqual(['network down']);
    expect(deleted).toEqual([]);

    stream.subscribed('2026-03-01T12:10:00.000Z'); // a reconnect before the retry
    await vi.advanceTimersByTimeAsync(0);
    expect(readDeletedSince.mock.calls.map(([since]) => since)).toEqual([
      secondsBefore(AT, 10),
      secondsBefore(AT, 10),
    ]);
    expect(deleted).toEqual([1]);
    await vi.advanceTimersByTimeAsync(2_000); // the retry was superseded
    expect(readDeletedSince).toHaveBeenCalledTimes(2);
  });

  it('reads again when a subscription is confirmed during a read, each read from the previous `at`', async () => {
    const { readAfter } = storeOf();
    const { readDeletedSince } = deletionsOf();
    let finish = () => {};
    readDeletedSince.mockImplementationOnce(
      () => new Promise((resolve) => (finish = () => resolve([deletion(1)]))),
    );
    const { stream, deleted } = streamOf(readAfter, 0, readDeletedSince);
    stream.subscribed(AT);
    stream.subscribed('2026-03-01T12:10:00.000Z');
    await vi.advanceTimersByTimeAsync(0);
    expect(readDeletedSince).toHaveBeenCalledTimes(1);

    finish();
    await vi.advanceTimersByTimeAsync(0);
    stream.subscribed('2026-03-01T12:20:00.000Z');
    await vi.advanceTimersByTimeAsync(0);
    expect(readDeletedSince.mock.calls.map(([since]) => since)).toEqual([
      secondsBefore(AT, 10),
      secondsBefore(AT, 10),
      secondsBefore('2026-03-01T12:10:00.000Z', 10),
    ]);
    expect(deleted).toEqual([1]);
  });

  it('sees deletions only live when the server sends no `at` (an older server)', async () => {
    const { readAfter } = storeOf(1);
    const { readDeletedSince } = deletionsOf(deletion(1));
    const { stream, delivered } = streamOf(readAfter, 0, readDeletedSince);
    stream.subscribed(undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual([1]);
    expect(readDeletedSince).not.toHaveBeenCalled();
  });

  it('reports nothing after close, even from a read in flight', async () => {
    const { readAfter } = storeOf();
    const { readDeletedSince } = deletionsOf(deletion(1));
    const { stream, deleted } = streamOf(readAfter, 0, readDeletedSince);
    stream.subscribed(AT);
    stream.close();
    await vi.advanceTimersByTimeAsync(0);
    stream.deleted(deletion(2));
    expect(deleted).toEqual([]);
  });
});
