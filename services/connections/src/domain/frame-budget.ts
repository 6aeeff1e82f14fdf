/**
 * How many frames a connection may send: a token bucket, kept as GCRA's one
 * number (the "theoretical arrival time", `tat`, epoch ms) so that one
 * atomic write per frame can keep it (ConnectionStore.spendFrame).
 *
 * A frame moves `tat` to `max(tat, now) + interval`. What `tat` is ahead of
 * `now`, in intervals, is what the connection owes: up to `burst` the frame
 * is acted on; beyond it the frame is refused, and still costs its interval
 * (the bucket goes below empty); `floodAfter` intervals below empty the
 * connection is flooding and is closed. The debt refills at the rate, so a
 * client that stops after a few refusals is back within seconds.
 */
export interface FrameLimit {
  /** Frames a second a connection may keep sending. */
  perSecond: number;
  /** Frames it may send at once after a quiet spell. */
  burst: number;
  /** Refused frames (beyond what refilled meanwhile) after which the connection is closed. */
  floodAfter: number;
}

export type FrameVerdict = 'accepted' | 'refused' | 'flooding';

/** Milliseconds one frame costs. */
export const frameInterval = (limit: FrameLimit): number => 1000 / limit.perSecond;

/** Where `tat` is after one frame at `now` (`tat` undefined: the connection's first frame). */
export const nextArrival = (tat: number | undefined, now: number, limit: FrameLimit): number =>
  Math.max(tat ?? now, now) + frameInterval(limit);

/** Frames are counted in intervals; this much slack absorbs floating-point sums of fractional ones. */
const EPSILON = 1e-6;

/** What becomes of a frame that left `tat` at `tatAfter` at `now`. */
export const verdictOf = (tatAfter: number, now: number, limit: FrameLimit): FrameVerdict => {
  const owed = (tatAfter - now) / frameInterval(limit);
  if (owed <= limit.burst + EPSILON) return 'accepted';
  if (owed <= limit.burst + limit.floodAfter + EPSILON) return 'refused';
  return 'flooding';
};
