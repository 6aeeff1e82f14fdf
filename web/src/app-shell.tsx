'use client';
import { LiveCommentsProvider, useLiveComments } from '@live-comments/react';
import Link from 'next/link';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Toaster } from 'sonner';
import { Account } from './account';
import { ConfigContext, useAppSession } from './app-context';
import { loadConfig, type WebConfig } from './config';
import { ConnectionBadge, LiveConnectionBadge } from './connection-badge';
import { ErrorBanner, ErrorsProvider, useErrors } from './errors';
import { FeedToasts } from './feed-toasts';
import { readToken } from './session';

const MOST_TOASTS = 4;

const Header = ({ children }: { children?: ReactNode }) => (
  <header className="bar">
    <Link className="brand" href="/">
      live-comments
    </Link>
    {children ?? <ConnectionBadge state="connecting" />}
  </header>
);

/** A new sign-in (or sign-out) needs a new connection: the WebSocket API reads the token at $connect. */
function ReconnectOnSignIn() {
  const { live } = useLiveComments();
  const { token } = useAppSession();
  const connectedWith = useRef(token);
  useEffect(() => {
    if (connectedWith.current === token) return;
    connectedWith.current = token;
    live?.reconnect();
  }, [live, token]);
  return null;
}

function ShowError({ error }: { error: unknown }) {
  const { showError } = useErrors();
  useEffect(() => showError(error), [error, showError]);
  return null;
}

/**
 * Everything around the pages: the stage's configuration (/config.json, read
 * once), the live-comments provider, the header (badge, account), the error
 * banner and the toasts. Until the configuration is read (and in the
 * prerendered HTML) the header shows and the page says it is loading.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<WebConfig>();
  const [failure, setFailure] = useState<unknown>();
  useEffect(() => {
    loadConfig().then(setConfig, setFailure);
  }, []);

  return (
    <ErrorsProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      {config ? (
        <LiveCommentsProvider apiUrl={config.apiUrl} websocketUrl={config.websocketUrl} token={readToken}>
          <ConfigContext.Provider value={config}>
            <Header>
              <LiveConnectionBadge />
              <Account />
            </Header>
            <ErrorBanner />
            <main id="main">{children}</main>
            <FeedToasts />
            <ReconnectOnSignIn />
          </ConfigContext.Provider>
        </LiveCommentsProvider>
      ) : (
        <>
          <Header />
          <ErrorBanner />
          {failure !== undefined && <ShowError error={failure} />}
          <main id="main">
            <p className="muted">Loading…</p>
          </main>
        </>
      )}
      <Toaster position="bottom-right" expand visibleToasts={MOST_TOASTS} containerAriaLabel="New comments" />
    </ErrorsProvider>
  );
}
