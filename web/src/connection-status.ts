import type { ConnectionState, LiveComments } from '@live-comments/client';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'offline',
};

/** The header's badge: whether comments arrive live right now. */
export const showConnectionStatus = (badge: HTMLElement, live: LiveComments) => {
  const show = (state: ConnectionState) => {
    badge.dataset.state = state;
    badge.textContent = LABELS[state];
  };
  show(live.state);
  live.onStateChange(show);
};
