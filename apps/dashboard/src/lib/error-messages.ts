import type { ApiError } from './api-client.js';

/** The sentence a person should read for a failed call: the server's own message where there is one. */
export function describeApiError(error: ApiError): string {
  if (error.isUnreachable) {
    return `${error.message} Check that it is running and that this device is on the same network, then try again.`;
  }
  if (error.details.length > 0) {
    const problems = error.details.map((detail) => detail.message).join('; ');
    return `${error.message} (${problems})`;
  }
  return error.message;
}
