import type { Frame, TestSocket } from './ws-client';

/**
 * Subscribes a socket to a topic, asking again when the answer does not come
 * within `replyTimeoutMs` (a `subscribed` reply lost to an injected
 * `@connections` fault) or the message was throttled (the gateway's
 * `Too Many Requests` frame, which carries its own request id, not ours).
 */
export const subscribe = async (socket: TestSocket, topic: string, replyTimeoutMs = 3_000): Promise<void> => {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const requestId = `sub-${Math.random().toString(36).slice(2)}`;
    const from = socket.frames.length;
    socket.send({ action: 'subscribe', topic, requestId });
    const answer = await socket
      .next(
        (frame) =>
          socket.frames.indexOf(frame) >= from &&
          (frame.requestId === requestId || frame.message === 'Too Many Requests'),
        replyTimeoutMs,
      )
      .catch(() => undefined);
    if (answer?.type === 'subscribed') return;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  throw new Error(`could not subscribe to ${topic}`);
};

/** The broadcast frames of a type a socket received on a topic, as copies per eventId. */
export const copiesByEvent = (frames: readonly Frame[], topic: string, type = 'comment.created') => {
  const copies = new Map<string, number>();
  for (const frame of frames) {
    if (frame.type === type && frame.topic === topic && typeof frame.eventId === 'string')
      copies.set(frame.eventId, (copies.get(frame.eventId) ?? 0) + 1);
  }
  return copies;
};

/** The ids of the comments (data.id) whose frames of a type a socket received on a topic. */
export const commentIdsOf = (frames: readonly Frame[], topic: string, type = 'comment.created') =>
  new Set(
    frames.flatMap((frame) =>
      frame.type === type && frame.topic === topic ? [String((frame.data as { id?: unknown })?.id)] : [],
    ),
  );
