import { ApiError } from '@live-comments/client';
import { byId, h, replaceChildren } from './dom';

/**
 * The error banner: an API error shows the contract's message and its code
 * (e.g. "Invalid body. validation_failed"), anything else its text.
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

export const showError = (error: unknown) => {
  const banner = byId('error');
  const { message, code } = describeError(error);
  banner.dataset.code = code;
  replaceChildren(
    banner,
    h('span', { 'data-testid': 'error-message' }, message),
    ' ',
    h('code', { 'data-testid': 'error-code' }, code),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: clearError }, '×'),
  );
  banner.hidden = false;
};

export const clearError = () => {
  const banner = byId('error');
  banner.hidden = true;
  banner.replaceChildren();
  delete banner.dataset.code;
};

/** Runs a user action, showing its error instead of losing it in the console. */
export const attempt = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
  try {
    const result = await action();
    clearError();
    return result;
  } catch (error) {
    showError(error);
    return undefined;
  }
};
