/**
 * WebSocket subscribers for the benches, in child processes (child.ts): each
 * opens its share of the sockets and subscribes them, and says which
 * broadcast frames each socket received and when. The pool adds the
 * processes' figures up.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { stop } from '../support';
import type {
  ChildMessage,
  FrameStats,
  OpenReply,
  OpenRequest,
  Progress,
  Reply,
  Request,
  RequestBody,
  StatsReply,
} from './protocol';

export type { FrameStats } from './protocol';

const CHILD = join(import.meta.dirname, 'child.ts');

export interface PoolOptions {
  url: string;
  topics: string[];
  /** Sockets in all. */
  count: number;
  /** Child processes to spread them over. */
  processes: number;
  /** The whole pool's handshakes and subscribe messages per second at most. */
  connectsPerSecond: number;
  subscribesPerSecond: number;
  /** Sockets being opened at once per process. */
  concurrency?: number;
  onProgress?: (progress: Omit<Progress, 'kind'>) => void;
}

export interface OpenFigures extends Omit<OpenReply, 'kind' | 'id'> {
  ms: number;
}

/** One frame (a topic and an event) over the whole pool. */
export type PoolFrameStats = FrameStats;

export interface SubscriberPool {
  readonly count: number;
  open(): Promise<OpenFigures>;
  /** The frames received, added up over the processes (firstAt concatenated when asked for). */
  stats(options?: { commentIds?: string[]; withTimes?: boolean }): Promise<{
    closed: number;
    frames: PoolFrameStats[];
  }>;
  close(): Promise<void>;
}

interface Member {
  child: ChildProcess;
  share: number;
  progress: Omit<Progress, 'kind'>;
  waiting: Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>;
}

let requestIds = 0;

const ask = <T extends Reply>(member: Member, request: RequestBody): Promise<T> => {
  const id = ++requestIds;
  return new Promise((resolve, reject) => {
    member.waiting.set(id, { resolve: (reply) => resolve(reply as T), reject });
    member.child.send({ ...request, id } as Request);
  });
};

export const startSubscriberPool = (options: PoolOptions): SubscriberPool => {
  const processes = Math.max(1, Math.min(options.processes, options.count));
  const members: Member[] = Array.from({ length: processes }, (_, index) => {
    const share = Math.floor(options.count / processes) + (index < options.count % processes ? 1 : 0);
    // The bench runs under tsx: the child inherits its loader through execArgv.
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const member: Member = {
      child,
      share,
      progress: { opened: 0, subscribed: 0, retries: 0 },
      waiting: new Map(),
    };
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'progress') {
        member.progress = {
          opened: message.opened,
          subscribed: message.subscribed,
          retries: message.retries,
        };
        options.onProgress?.(
          members.reduce(
            (sum, one) => ({
              opened: sum.opened + one.progress.opened,
              subscribed: sum.subscribed + one.progress.subscribed,
              retries: sum.retries + one.progress.retries,
            }),
            { opened: 0, subscribed: 0, retries: 0 },
          ),
        );
        return;
      }
      const waiter = member.waiting.get(message.id);
      member.waiting.delete(message.id);
      if (message.kind === 'error') waiter?.reject(new Error(`subscriber process: ${message.message}`));
      else waiter?.resolve(message);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of member.waiting.values())
        waiter.reject(new Error(`subscriber process exited (${code ?? signal})`));
      member.waiting.clear();
    });
    return member;
  });

  return {
    count: options.count,
    async open() {
      const started = performance.now();
      const replies = await Promise.all(
        members.map((member) =>
          ask<OpenReply>(member, {
            kind: 'open',
            url: options.url,
            topics: options.topics,
            count: member.share,
            connectsPerSecond: options.connectsPerSecond / processes,
            subscribesPerSecond: options.subscribesPerSecond / processes,
            concurrency: options.concurrency ?? 50,
          } satisfies OpenRequest),
        ),
      );
      const sum = (pick: (reply: OpenReply) => number) =>
        replies.reduce((total, reply) => total + pick(reply), 0);
      return {
        ms: performance.now() - started,
        opened: sum((reply) => reply.opened),
        retries: sum((reply) => reply.retries),
        refusedHandshakes: sum((reply) => reply.refusedHandshakes),
        throttledSubscribes: sum((reply) => reply.throttledSubscribes),
        missingReplies: sum((reply) => reply.missingReplies),
      };
    },
    async stats(request = {}) {
      const replies = await Promise.all(
        members.map((member) => ask<StatsReply>(member, { kind: 'stats', ...request })),
      );
      const byKey = new Map<string, PoolFrameStats>();
      for (const reply of replies) {
        for (const frame of reply.frames) {
          const key = `${frame.topic}\n${frame.eventId}`;
          const known = byKey.get(key);
          if (!known) byKey.set(key, { ...frame, ...(frame.firstAt ? { firstAt: [...frame.firstAt] } : {}) });
          else {
            known.sockets += frame.sockets;
            known.copies += frame.copies;
            if (frame.firstAt) known.firstAt?.push(...frame.firstAt);
          }
        }
      }
      return { closed: replies.reduce((sum, reply) => sum + reply.closed, 0), frames: [...byKey.values()] };
    },
    async close() {
      await Promise.all(
        members.map(async (member) => {
          if (member.child.connected) await ask(member, { kind: 'close' }).catch(() => {});
          await stop(member.child, 2_000);
        }),
      );
    },
  };
};
