/**
 * Typed errors of the public contract. Each carries its HTTP status and the
 * stable machine `code` of `{"error": {"code", "message"}}`; the HTTP kit maps
 * them by `instanceof`, never by comparing strings.
 */
export class HttpError extends Error {
  /** Headers the error answer carries besides the body (for example `retry-after`). */
  readonly headers?: Record<string, string>;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends HttpError {
  constructor(message: string, details?: unknown, options?: ErrorOptions) {
    super(400, 'validation_failed', message, details, options);
  }
}

export class InvalidCursorError extends HttpError {
  constructor(options?: ErrorOptions) {
    super(400, 'invalid_cursor', 'The cursor is not valid for this list.', undefined, options);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Authentication is required.') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'You are not allowed to do that.') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'unsupported_media_type', 'Send the body as application/json.');
  }
}

/**
 * 503 `unavailable`: a dependency could not answer, so the request cannot be
 * decided now (never guessed); the client retries after `retryAfterSeconds`.
 */
export class ServiceUnavailableError extends HttpError {
  override readonly headers: Record<string, string>;

  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(503, 'unavailable', message, undefined, options);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** Thrown at cold start when the environment does not satisfy a function's config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
