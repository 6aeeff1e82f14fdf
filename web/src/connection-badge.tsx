'use client';
import type { ConnectionState } from '@live-comments/client';
import { useConnectionState } from '@live-comments/react';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'offline',
};

/** The header's badge: whether comments arrive live right now. */
export const ConnectionBadge = ({ state }: { state: ConnectionState }) => (
  <span className="status" data-testid="connection-status" data-state={state} aria-live="polite">
    {LABELS[state]}
  </span>
);

export const LiveConnectionBadge = () => <ConnectionBadge state={useConnectionState()} />;
