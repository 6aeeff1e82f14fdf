import { errorFrame, type ReplyFrame } from '@live-comments/events/websocket';
import { type AnswerFrameDeps, answerFrame, type ReceivedFrame, requestIdOf } from './answer-frame';
import { type FrameLimit, type FrameVerdict, frameInterval, verdictOf } from './frame-budget';
import type { ConnectionStore } from './ports';

export interface ReceiveFrameDeps extends AnswerFrameDeps {
  connections: Pick<ConnectionStore, 'spendFrame'>;
  frameLimit: FrameLimit;
  /** Told when the frame budget could not be kept; the frame is then acted on. */
  onBudgetError?: (error: unknown) => void;
}

export interface FrameOutcome {
  /** The answer for the caller. */
  reply: ReplyFrame;
  /** The connection kept flooding: after the reply, it is closed. */
  close: boolean;
}

/** The reason the last frame gives, and the typed client reports with close code 1008. */
export const FLOODING_REASON = 'Too many frames: the connection is closed.';

/**
 * One client frame against the connection's frame budget: acted on within
 * it (answerFrame), refused beyond it with `rate_limited` (the store is not
 * touched), and once the connection keeps flooding, answered with the last
 * frame `policy_violation` and closed.
 */
export const receiveFrame = async (deps: ReceiveFrameDeps, frame: ReceivedFrame): Promise<FrameOutcome> => {
  const now = frame.receivedAt ?? deps.now().getTime();
  let verdict: FrameVerdict = 'accepted';
  try {
    const tat = await deps.connections.spendFrame(frame.connectionId, now, frameInterval(deps.frameLimit));
    // No record: the connection is closing; its frame is answered as before.
    if (tat !== undefined) verdict = verdictOf(tat, now, deps.frameLimit);
  } catch (error) {
    // The limit protects the service; its own store failing should not also refuse every frame.
    deps.onBudgetError?.(error);
  }
  switch (verdict) {
    case 'flooding':
      return { reply: errorFrame('policy_violation', FLOODING_REASON), close: true };
    case 'refused': {
      const { perSecond, burst } = deps.frameLimit;
      return {
        reply: errorFrame(
          'rate_limited',
          `Too many frames: at most ${perSecond} a second (${burst} at once); this one was not acted on.`,
          requestIdOf(frame.body),
        ),
        close: false,
      };
    }
    default:
      return { reply: await answerFrame(deps, frame), close: false };
  }
};
