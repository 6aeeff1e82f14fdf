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
  return { sending, submit };
};
