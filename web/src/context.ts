import type { ApiClient, LiveComments } from '@live-comments/client';
import type { WebConfig } from './config';
import type { Session } from './session';

/** What every view works with, made once at start (main.ts). */
export interface AppContext {
  config: WebConfig;
  api: ApiClient;
  live: LiveComments;
  session: Session;
}

/** A rendered view: called when the user navigates away, to stop its live subscriptions. */
export type Dispose = () => void;
