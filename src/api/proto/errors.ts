/**
 * @module ProtoError: every way a protobuf request body can be refused, each
 * with a stable code. The apiserver turns it into a 400 or 415 Status.
 */

export type ProtoErrorCode =
  /** The body does not start with upstream's 4-byte magic `k8s\0`. */
  | 'BAD_MAGIC'
  /** A length or value runs past the end of its message. */
  | 'TRUNCATED'
  /** Bytes that are not valid protobuf: a bad varint, tag, wire type or field number. */
  | 'MALFORMED'
  /** A field arrived with a wire type its schema cannot have. */
  | 'WRONG_WIRE_TYPE'
  /** runtime.Unknown names no kind nanokube serves. */
  | 'UNKNOWN_KIND'
  /** runtime.Unknown asks for a contentEncoding or contentType this decoder does not read. */
  | 'UNSUPPORTED_CONTENT'
  /** A value that has no JSON form: a time outside years 0-9999, an embedded object that is not JSON. */
  | 'BAD_VALUE'
  /** Nesting deeper than any served schema allows. */
  | 'TOO_DEEP';

export class ProtoError extends Error {
  readonly code: ProtoErrorCode;
  constructor(code: ProtoErrorCode, message: string) {
    super(message);
    this.name = 'ProtoError';
    this.code = code;
  }
}

export function isProtoError(e: unknown): e is ProtoError {
  return e instanceof ProtoError;
}

/**
 * Translates what protobufjs's Reader throws (RangeError "index out of
 * range", Error "invalid varint encoding", "invalid wire type", ...) where
 * it enters, so that callers only ever see a ProtoError.
 */
export function translate(e: unknown, where: string): ProtoError {
  if (e instanceof ProtoError) return e;
  const text = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /index out of range/.test(text)) return new ProtoError('TRUNCATED', `${where}: truncated data (${text})`);
  if (e instanceof RangeError) return new ProtoError('TOO_DEEP', `${where}: ${text}`);
  return new ProtoError('MALFORMED', `${where}: ${text}`);
}
