import './styles.css';
import { createApiClient, createLiveComments } from '@live-comments/client';
import { renderAccount } from './account';
import { loadConfig } from './config';
import { showConnectionStatus } from './connection-status';
import type { AppContext, Dispose } from './context';
import { byId } from './dom';
import { clearError, showError } from './errors';
import { toastNewComments } from './feed-toasts';
import { postPage } from './post-page';
import { postsPage } from './posts-page';
import { currentRoute } from './router';
import { createSession, type Session } from './session';

/** Wires the app once: config, the API and live clients, the session, the header, then the routed view. */
const start = async () => {
  const config = await loadConfig();
  // The clients read the token on every request and (re)connect, so signing in or out needs no new client.
  const token = () => session.token();
  const api = createApiClient({ apiUrl: config.apiUrl, token });
  const session: Session = createSession(api);
  const live = createLiveComments({ websocketUrl: config.websocketUrl, apiUrl: config.apiUrl, token });
  const context: AppContext = { config, api, live, session };

  const view = byId('view');
  let dispose: Dispose = () => {};
  const render = () => {
    dispose();
    clearError();
    const route = currentRoute();
    dispose = route.page === 'post' ? postPage(view, route.postId, context) : postsPage(view, context);
  };

  showConnectionStatus(byId('connection-status'), live);
  renderAccount(byId('account'), context);
  toastNewComments(context);
  session.onChange(() => {
    renderAccount(byId('account'), context);
    // A new connection carries the new token (the WebSocket API reads it at $connect).
    live.reconnect();
    render();
  });
  window.addEventListener('hashchange', render);
  render();
};

start().catch(showError);
