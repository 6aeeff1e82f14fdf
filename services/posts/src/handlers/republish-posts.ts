import { scheduledHandler } from '@live-comments/shared';
import { type OutboxDeps, republishPending } from '../domain/outbox';
import { postsSideEffects } from '../side-effects';

/** Events younger than this belong to requests still publishing them. */
const GRACE_SECONDS = 30;
/** Stop starting new batches when less than this is left of the invocation. */
const SAFETY_MARGIN_MS = 5_000;

/** Scheduled sweep of the posts outbox (see domain/outbox.ts). */
export const buildRepublishPostsHandler = (deps: OutboxDeps) =>
  scheduledHandler(async (context) => {
    await republishPending(deps, {
      graceSeconds: GRACE_SECONDS,
      hasTimeLeft: () => context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS,
    });
  });

export const handler = buildRepublishPostsHandler(postsSideEffects());
