'use client';
import { useCallback, useId, useState } from 'react';
import { useErrors } from './errors';

/** A labelled text input (or a textarea of three rows), its value held by the form. */
export function TextField(props: {
  label: string;
  name: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
}) {
  const id = useId();
  const field = {
    id,
    name: props.name,
    'data-testid': props.testId,
    value: props.value,
    onChange: (event: { target: { value: string } }) => props.onChange(event.target.value),
  };
  return (
    <>
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? <textarea rows={3} {...field} /> : <input {...field} />}
    </>
  );
}

/** A form's submit button: announced as disabled while the form's request is on its way. */
export function SubmitButton(props: { label: string; testId: string; sending: boolean }) {
  return (
    <button type="submit" data-testid={props.testId} aria-disabled={props.sending}>
      {props.label}
    </button>
  );
}

/**
 * A form's request: one at a time (a second submit while one is on its way is
 * ignored), its error in the banner; resolves with the answer, or undefined.
 */
export const useSubmit = () => {
  const { attempt } = useErrors();
  const [sending, setSending] = useState(false);
  const submit = useCallback(
    async <T,>(request: () => Promise<T>): Promise<T | undefined> => {
      setSending(true);
      try {
        return await attempt(request);
      } finally {
        setSending(false);
      }
    },
    [attempt],
  );
  /** The form's submit handler: sends `request` (unless one is on its way), and hands a success to `done`. */
  const onSubmitOf =
    <T,>(request: () => Promise<T>, done: (answer: T) => void) =>
    (event: { preventDefault: () => void }) => {
      event.preventDefault();
      if (sending) return;
      void submit(request).then((answer) => {
        if (answer !== undefined) done(answer);
      });
    };
  return { sending, submit, onSubmitOf };
};
