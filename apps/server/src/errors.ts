import { errorStatusByCode, type ErrorCode, type ErrorDetail } from '@iclood/api-types';

/**
 * An error the API answers with. `code` picks the HTTP status (api-types' errorStatusByCode);
 * the message is shown to the client, so it must never carry secrets or paths.
 */
export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = errorStatusByCode[code];
  }
}
