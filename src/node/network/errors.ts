/**
 * @module The node network's one error class, with a stable code per failure.
 */

export type NetworkErrorCode =
  /** A run id, CIDR, node index or option that cannot make a valid plan. */
  | 'INVALID'
  /** The node's pod CIDR has no free address left. */
  | 'IPAM_EXHAUSTED'
  /** A state file that cannot be read back (not JSON, wrong shape). */
  | 'STATE_CORRUPT'
  /** The pause process did not come up. */
  | 'PAUSE_FAILED'
  /** `nanokube node exec`: no such node. */
  | 'NODE_NOT_FOUND';

export class NetworkError extends Error {
  readonly code: NetworkErrorCode;
  constructor(code: NetworkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
    this.code = code;
  }
}
