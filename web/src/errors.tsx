'use client';
import { ApiError } from '@live-comments/client';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

/**
 * The error banner: an API error shows the contract's message and its code
 * (e.g. "The comment is empty. validation_failed"), anything else its text.
 */

/** What the API says of each field (e.g. "The comment is empty."), when it says it. */
const detailsOf = (error: ApiError): string | undefined =>
  error.details.length > 0 ? error.details.map((detail) => detail.message).join(' ') : undefined;

export const describeError = (error: unknown): { message: string; code: string } => {
  if (error instanceof ApiError) {
    return { message: detailsOf(error) ?? (error.message || `HTTP ${error.status}`), code: error.code };
  }
  if (error instanceof TypeError)
    return { message: 'The server could not be reached.', code: 'network_error' };
  return { message: error instanceof Error ? error.message : String(error), code: 'error' };
};

interface Errors {
  /** What the banner shows, if anything. */
  shown: { message: string; code: string } | undefined;
  showError(error: unknown): void;
  clearError(): void;
  /** Runs a user action, showing its error instead of losing it in the console; undefined when it failed. */
  attempt<T>(action: () => Promise<T>): Promise<T | undefined>;
}

const ErrorsContext = createContext<Errors | undefined>(undefined);

export const useErrors = (): Errors => {
  const errors = useContext(ErrorsContext);
  if (!errors) throw new Error('useErrors: no <ErrorsProvider> above this component');
  return errors;
};

export function ErrorsProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<{ message: string; code: string }>();
  const showError = useCallback((error: unknown) => setShown(describeError(error)), []);
  const clearError = useCallback(() => setShown(undefined), []);
  const attempt = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
      try {
        const result = await action();
        clearError();
        return result;
      } catch (error) {
        showError(error);
        return undefined;
      }
    },
    [clearError, showError],
  );
  const value = useMemo(
    () => ({ shown, showError, clearError, attempt }),
    [shown, showError, clearError, attempt],
  );
  return <ErrorsContext.Provider value={value}>{children}</ErrorsContext.Provider>;
}

/** The banner itself: always in the page (hidden when empty), so screen readers announce what appears in it. */
export function ErrorBanner() {
  const { shown, clearError } = useErrors();
  return (
    <div className="error" role="alert" data-testid="error" data-code={shown?.code} hidden={!shown}>
      {shown && (
        <>
          <span data-testid="error-message">{shown.message}</span>{' '}
          <code data-testid="error-code">{shown.code}</code>
          <button type="button" className="link" aria-label="Dismiss the error" onClick={clearError}>
            ×
          </button>
        </>
      )}
    </div>
  );
}
