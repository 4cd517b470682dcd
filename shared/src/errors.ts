/**
 * One error type for the whole platform, with a closed set of kinds. HTTP status and
 * message-retry decisions are derived from the kind in one place each, never ad hoc.
 */
export const ERROR_KINDS = [
  'validation', // bad input: 400 / message straight to the DLQ
  'not-found', // 404
  'conflict', // 409: state does not allow it
  'unprocessable', // 422: well-formed but refused (e.g. idempotency key reused with another body)
  'unauthorized', // 401
  'forbidden', // 403
  'method-not-allowed', // 405
  'payload-too-large', // 413
  'unsupported-media-type', // 415
  'rate-limited', // 429
  'unavailable', // 503: a dependency is down; retrying later may succeed
  'internal', // 500: a bug; text never shown to clients
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Kinds that will fail the same way on every retry: a message with one goes to the DLQ at once. */
const PERMANENT_KINDS: ReadonlySet<ErrorKind> = new Set(['validation', 'not-found', 'unprocessable', 'forbidden', 'unauthorized', 'payload-too-large', 'unsupported-media-type', 'method-not-allowed']);

export function isPermanent(error: unknown): boolean {
  return isAppError(error) && PERMANENT_KINDS.has(error.kind);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
