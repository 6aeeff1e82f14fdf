/**
 * A browser's handshake carries its page's Origin, which must be allowed for
 * the stage; a handshake without one comes from a non-browser client, which
 * the Origin check cannot protect against anyway, so it is accepted.
 */
export const isOriginAllowed = (origin: string | undefined, allowedOrigins: readonly string[]): boolean =>
  origin === undefined || allowedOrigins.includes(origin.replace(/\/$/, ''));
