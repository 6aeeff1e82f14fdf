import type { AppContext } from './context';
import { h, replaceChildren } from './dom';
import { attempt } from './errors';

/** The header's sign-in form, or who is signed in and a way out. */
export const renderAccount = (container: HTMLElement, { config, session }: AppContext) => {
  const user = session.user();
  if (user) {
    replaceChildren(
      container,
      h('span', {}, 'Signed in as ', h('strong', { 'data-testid': 'user' }, user)),
      ' ',
      h(
        'button',
        { type: 'button', class: 'link', 'data-testid': 'sign-out', onclick: () => session.signOut() },
        'Sign out',
      ),
    );
    return;
  }
  if (!config.localSignIn) {
    replaceChildren(container, h('span', { class: 'muted' }, 'Reading as a guest'));
    return;
  }
  const name = h('input', {
    name: 'user',
    placeholder: 'user name',
    autocomplete: 'username',
    'aria-label': 'User name',
    'data-testid': 'sign-in-name',
  });
  replaceChildren(
    container,
    h(
      'form',
      {
        class: 'inline',
        'data-testid': 'sign-in-form',
        onsubmit: (event) => {
          event.preventDefault();
          // The local issuer signs a token for any name (local cloud only).
          void attempt(() => session.signIn(name.value.trim()));
        },
      },
      name,
      h('button', { type: 'submit', 'data-testid': 'sign-in' }, 'Sign in'),
    ),
  );
};
