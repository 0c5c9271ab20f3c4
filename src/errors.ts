// Error classes with stable codes; native errors become these with the caller's stack attached.

/** Every `.code` a crossrank error can carry. */
export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_UNKNOWN_OPTION'
  | 'ERR_MODEL_NOT_FOUND'
  | 'ERR_MODEL_LOAD'
  | 'ERR_MODEL_INPUTS'
  | 'ERR_MODEL_CONFIG'
  | 'ERR_NOT_QUANTIZABLE'
  | 'ERR_NOT_OPTIMIZABLE'
  | 'ERR_QUANTIZATION_FIDELITY'
  | 'ERR_TOKENIZER'
  | 'ERR_UNSUPPORTED_TOKENIZER'
  | 'ERR_TRUNCATION'
  | 'ERR_ORT_LOAD'
  | 'ERR_ORT_VERSION'
  | 'ERR_ORT_CONFLICT'
  | 'ERR_PROVIDER_UNAVAILABLE'
  | 'ERR_NATIVE_LOAD'
  | 'ERR_RUN'
  | 'ERR_CLOSED'
  | 'ERR_QUEUE_FULL'
  | 'ERR_ABORTED'
  | 'ERR_UNSUPPORTED'
  | 'ERR_INVALID_REPO_ID'
  | 'ERR_HUB_NOT_FOUND'
  | 'ERR_HUB_UNAUTHORIZED'
  | 'ERR_HUB_DOWNLOAD'
  | 'ERR_HUB_OFFLINE';

/** An operational failure (model files, runtime, queue, lifecycle). */
export class CrossrankError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code === 'ERR_ABORTED' ? 'AbortError' : 'CrossrankError';
    this.code = code;
  }
}

/** A value of the wrong type was passed (`ERR_INVALID_ARG_TYPE`, `ERR_UNKNOWN_OPTION`). */
export class CrossrankTypeError extends TypeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CrossrankTypeError';
    this.code = code;
  }
}

/** A value of the right type but outside what is allowed (`ERR_OUT_OF_RANGE`). */
export class CrossrankRangeError extends RangeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CrossrankRangeError';
    this.code = code;
  }
}

/** Converts an error thrown or passed by the addon into a CrossrankError, keeping the JS call site's stack. */
export function fromNative(error: unknown, callSite?: Error): Error {
  if (error instanceof CrossrankError || error instanceof CrossrankTypeError || error instanceof CrossrankRangeError) {
    return error;
  }
  const native = error as { code?: unknown; message?: unknown };
  const code = typeof native?.code === 'string' && native.code.startsWith('ERR_') ? (native.code as ErrorCode) : undefined;
  const message = typeof native?.message === 'string' ? native.message : String(error);
  const converted =
    error instanceof TypeError
      ? new CrossrankTypeError(code ?? 'ERR_INVALID_ARG_TYPE', message)
      : error instanceof RangeError
        ? new CrossrankRangeError(code ?? 'ERR_OUT_OF_RANGE', message)
        : new CrossrankError(code ?? 'ERR_RUN', message);
  if (callSite?.stack) {
    converted.stack = `${converted.name}: ${message}\n${callSite.stack.split('\n').slice(1).join('\n')}`;
  }
  return converted;
}
