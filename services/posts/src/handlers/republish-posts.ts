import { scheduledHandler } from '@live-comments/shared';
import { republishPending } from '../domain/outbox';
import { type ServiceDeps, sideEffects } from '../side-effects';

/** Events younger than this belong to requests still publishing them. */
const GRACE_SECONDS = 30;
/** Stop starting new batches when less than this is left of the invocation. */
const SAFETY_MARGIN_MS = 5_000;

/** Scheduled sweep of the posts outbox (see domain/outbox.ts). */
export const republishPostsHandler = (deps: () => ServiceDeps = sideEffects) =>
  scheduledHandler(async (context) => {
    await republishPending(deps(), {
      graceSeconds: GRACE_SECONDS,
      hasTimeLeft: () => context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS,
    });
  });

export const handler = republishPostsHandler();
