/**
 * Runs `work` on every item with at most `limit` running at once, so a page
 * of a thousand subscribers does not open a thousand sockets.
 */
export const forEachWithConcurrency = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};
