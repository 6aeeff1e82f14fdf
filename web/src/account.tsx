'use client';
import { useId, useState } from 'react';
import { useAppSession, useConfig } from './app-context';
import { useErrors } from './errors';

/** The header's sign-in form, or who is signed in and a way out. */
export function Account() {
  const { localSignIn } = useConfig();
  const session = useAppSession();
  const { attempt } = useErrors();
  const [name, setName] = useState('');
  const inputId = useId();

  if (session.user) {
    return (
      <div className="account">
        <span>
          Signed in as <strong data-testid="user">{session.user}</strong>
        </span>{' '}
        <button type="button" className="link" data-testid="sign-out" onClick={session.signOut}>
          Sign out
        </button>
      </div>
    );
  }
  if (!localSignIn) return <div className="account muted">Reading as a guest</div>;
  return (
    <form
      className="account inline"
      data-testid="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        // The local issuer signs a token for any name (local cloud only).
        void attempt(() => session.signIn(name.trim()));
      }}
    >
      <label htmlFor={inputId} className="visually-hidden">
        User name
      </label>
      <input
        id={inputId}
        name="user"
        placeholder="user name"
        autoComplete="username"
        data-testid="sign-in-name"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" data-testid="sign-in">
        Sign in
      </button>
    </form>
  );
}
