import type { SocketLike } from './live';
import type { ClientFrame, Comment, ServerFrame } from './types';

/** Tests only (this package's and the React bindings'). */

/** A WebSocket the test plays the server of. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: ClientFrame[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closedByClient = false;

  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close() {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(frame: ServerFrame | string) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  /** Acknowledges every subscribe sent so far, as the connections service does (with `at` when given). */
  ackSubscribes(at?: string) {
    for (const frame of this.sent) {
      if (frame.action === 'subscribe')
        this.frame({
          type: 'subscribed',
          topic: frame.topic,
          requestId: frame.requestId,
          ...(at ? { at } : {}),
        });
    }
  }
}

/** Comment number `seq` of a post, by bob, one second after the previous one. */
export const comment = (seq: number, postId = 'p1'): Comment => ({
  id: `c${seq}`,
  postId,
  authorId: 'bob',
  body: `comment ${seq}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  seq,
});
