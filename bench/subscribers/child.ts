/**
 * A subscriber process of the benches (forked by pool.ts): opens its share of
 * the WebSocket subscribers, subscribes each to the topics, and records every
 * broadcast frame each socket receives (first receipt time and copies per
 * topic and event). In a process of its own so that its sockets count
 * against its own open-files limit (the local cloud holds the other end of
 * each) and the receiving does not share the local cloud's event loop.
 */
import WebSocket from 'ws';
import { sleep } from '../support';
import {
  type ChildMessage,
  type FrameStats,
  type OpenReply,
  type OpenRequest,
  preciseNow,
  type Request,
  type StatsReply,
  type StatsRequest,
} from './protocol';

const REPLY_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 20;

const say = (message: ChildMessage) => process.send?.(message);

/** Evenly spaced turns at a rate (no burst). */
const pacer = (perSecond: number) => {
  let nextAt = 0;
  return async () => {
    if (!Number.isFinite(perSecond)) return;
    const now = performance.now();
    const at = Math.max(now, nextAt);
    nextAt = at + 1000 / perSecond;
    if (at > now) await sleep(at - now);
  };
};

interface Received extends Omit<FrameStats, 'firstAt'> {
  firstAt: number[];
}

const sockets: WebSocket[] = [];
/**
 * Per socket, what its subscribe in progress waits for (one at a time). A
 * throttled message is answered with an error frame carrying the gateway's
 * request id, not the client's, so it is matched by socket.
 */
const answering: (((frame: Frame) => void) | undefined)[] = [];
/** Per socket, the frames (topic and event) it has had. */
const seen: Set<string>[] = [];
const received = new Map<string, Received>();
let closedByServer = 0;
const counters = { retries: 0, refusedHandshakes: 0, throttledSubscribes: 0, missingReplies: 0 };

const onFrame = (index: number, data: WebSocket.RawData) => {
  const at = preciseNow();
  const frame = JSON.parse(String(data)) as Frame;
  if (typeof frame.eventId === 'string' && typeof frame.topic === 'string') {
    const key = `${frame.topic}\n${frame.eventId}`;
    let stats = received.get(key);
    if (!stats) {
      stats = {
        topic: frame.topic,
        eventId: frame.eventId,
        commentId: String(frame.data?.id ?? ''),
        type: String(frame.type),
        sockets: 0,
        copies: 0,
        firstAt: [],
      };
      received.set(key, stats);
    }
    stats.copies++;
    const mine = seen[index] as Set<string>;
    if (!mine.has(key)) {
      mine.add(key);
      stats.sockets++;
      stats.firstAt.push(at);
    }
  } else {
    answering[index]?.(frame);
  }
};

interface Frame {
  type?: string;
  message?: string;
  topic?: string;
  eventId?: string;
  requestId?: string;
  data?: { id?: string };
}

/** Opens one socket; a handshake refused with 429 (new connections throttled) is retried by the caller. */
const connect = (url: string, index: number): Promise<WebSocket> =>
  new Promise((resolveOpen, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    socket.on('message', (data) => onFrame(index, data));
    socket.once('open', () => {
      socket.once('close', () => closedByServer++);
      resolveOpen(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      if (response.statusCode === 429) counters.refusedHandshakes++;
      socket.terminate();
      reject(new Error(`handshake refused: ${response.statusCode}`));
    });
    socket.on('error', reject);
  });

/** Subscribes a socket to a topic: true once `subscribed`, false when throttled or unanswered (try again). */
const subscribe = (socket: WebSocket, index: number, topic: string): Promise<boolean> => {
  const requestId = `s-${Math.random().toString(36).slice(2, 10)}`;
  return new Promise((resolveReply) => {
    const timer = setTimeout(() => {
      answering[index] = undefined;
      counters.missingReplies++;
      resolveReply(false);
    }, REPLY_TIMEOUT_MS);
    answering[index] = (frame) => {
      const throttled = frame.message === 'Too Many Requests';
      if (frame.requestId !== requestId && !throttled) return;
      clearTimeout(timer);
      answering[index] = undefined;
      if (frame.type === 'subscribed') return resolveReply(true);
      if (throttled) counters.throttledSubscribes++;
      resolveReply(false);
    };
    socket.send(JSON.stringify({ action: 'subscribe', topic, requestId }));
  });
};

const open = async (request: OpenRequest): Promise<Omit<OpenReply, 'id'>> => {
  const connectTurn = pacer(request.connectsPerSecond);
  const subscribeTurn = pacer(request.subscribesPerSecond);
  let opened = 0;
  let subscribed = 0;
  const progress = setInterval(
    () => say({ kind: 'progress', opened, subscribed, retries: counters.retries }),
    1000,
  );
  let next = 0;
  const worker = async () => {
    while (next < request.count) {
      const index = next++;
      seen[index] = new Set();
      let socket: WebSocket | undefined;
      for (let attempt = 1; !socket; attempt++) {
        await connectTurn();
        try {
          socket = await connect(request.url, index);
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS) throw error;
          counters.retries++;
          await sleep(100 * Math.min(attempt, 10));
        }
      }
      sockets[index] = socket;
      opened++;
      for (const topic of request.topics) {
        for (let attempt = 1; ; attempt++) {
          await subscribeTurn();
          if (await subscribe(socket, index, topic)) break;
          if (attempt >= MAX_ATTEMPTS) throw new Error(`socket ${index}: could not subscribe to ${topic}`);
          counters.retries++;
          await sleep(100 * Math.min(attempt, 10));
        }
      }
      subscribed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, worker));
  } finally {
    clearInterval(progress);
  }
  return { kind: 'opened', opened, ...counters };
};

const stats = (request: StatsRequest): Omit<StatsReply, 'id'> => {
  const wanted = request.commentIds ? new Set(request.commentIds) : undefined;
  const frames: FrameStats[] = [];
  for (const { firstAt, ...rest } of received.values()) {
    if (wanted && !wanted.has(rest.commentId)) continue;
    frames.push(request.withTimes ? { ...rest, firstAt } : rest);
  }
  return { kind: 'stats', sockets: sockets.length, closed: closedByServer, frames };
};

process.on('message', (message: Request) => {
  const answer = async () => {
    switch (message.kind) {
      case 'open':
        return open(message);
      case 'stats':
        return stats(message);
      case 'close':
        for (const socket of sockets) socket.terminate();
        return { kind: 'closed' as const };
    }
  };
  answer().then(
    (reply) => {
      say({ ...reply, id: message.id } as ChildMessage);
      if (message.kind === 'close') process.disconnect();
    },
    (error: unknown) =>
      say({ kind: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) }),
  );
});
