import type { ErrorCode, ErrorDetail, ErrorEnvelope, SuccessEnvelopeOf } from '@iclood/api-types';

/** Wraps a handler's result in the success envelope (DESIGN §4). */
export function ok<T>(data: T, message = 'OK'): SuccessEnvelopeOf<T> {
  return { status: 'success', data, message, timestamp: new Date().toISOString() };
}

export function errorEnvelope(code: ErrorCode, message: string, details?: ErrorDetail[]): ErrorEnvelope {
  return {
    status: 'error',
    error: details?.length ? { code, message, details } : { code, message },
    message,
    timestamp: new Date().toISOString(),
  };
}
