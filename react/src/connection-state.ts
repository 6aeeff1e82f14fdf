import type { ConnectionState } from '@live-comments/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useLiveComments } from './provider';

/** Whether comments arrive live right now: `connecting`, `open`, `reconnecting` or `closed`. */
export const useConnectionState = (): ConnectionState => {
  const { live } = useLiveComments();
  const subscribe = useCallback(
    (changed: () => void) => {
      if (!live) return () => {};
      const stop = live.onStateChange(changed);
      return () => {
        stop();
      };
    },
    [live],
  );
  return useSyncExternalStore(
    subscribe,
    () => live?.state ?? 'connecting',
    () => 'connecting',
  );
};
