/**
 * @module The userspace proxy's one error class, with a stable code per failure.
 */

export type RelayErrorCode =
  /** The relay child exited (or could not start) before answering. */
  | 'CHILD_EXITED'
  /** The relay child did not answer a table in time; it is killed and restarted. */
  | 'TIMEOUT'
  /** The child refused the command (malformed, or an internal error it reported). */
  | 'REJECTED'
  /** sync() after close(). */
  | 'CLOSED';

export class RelayError extends Error {
  readonly code: RelayErrorCode;
  constructor(code: RelayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayError';
    this.code = code;
  }
}
