// The one error type handlers throw: an HTTP status, a kind for clients to branch on, and a message naming the field.
export type ErrorKind =
  | 'invalid_json'
  | 'validation'
  | 'payload_too_large'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'overloaded'
  | 'unavailable'
  | 'backend';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The JSON body of every error response: TEI's `{ error, error_type }`. */
export function errorBody(error: HttpError): { error: string; error_type: ErrorKind } {
  return { error: error.message, error_type: error.kind };
}
