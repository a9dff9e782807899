import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { isErrorCode, errorStatusByCode, type ErrorCode, type ErrorDetail } from '@iclood/api-types';
import { errorEnvelope } from '../../envelope.js';
import type { App } from '../../types.js';

interface MappedError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

// Fastify's own client-error codes, named in our vocabulary.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
  507: 'STORAGE_FULL',
};

/** Any thrown thing → the status, code and client-safe message of the error envelope. */
export function mapError(error: FastifyError & { details?: ErrorDetail[] }): MappedError {
  if (error.validation) {
    const details = error.validation.map((issue) => ({
      field: `${error.validationContext ?? 'request'}${issue.instancePath || ''}`,
      message: issue.message ?? 'is invalid',
    }));
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: error.message, details };
  }
  if (isErrorCode(error.code)) {
    return {
      statusCode: errorStatusByCode[error.code],
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  if (error.code === 'DATABASE_UNAVAILABLE') {
    return {
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is not reachable right now',
    };
  }
  const fastifyCode = FASTIFY_CODES[error.code];
  const status = error.statusCode ?? 500;
  if (fastifyCode) {
    const message = fastifyCode === 'INVALID_JSON' ? 'The request body is not valid JSON' : error.message;
    return { statusCode: errorStatusByCode[fastifyCode], code: fastifyCode, message };
  }
  if (error instanceof SyntaxError && status === 400) {
    return { statusCode: 400, code: 'INVALID_JSON', message: 'The request body is not valid JSON' };
  }
  if (status >= 400 && status < 500) {
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'BAD_REQUEST', message: error.message };
  }
  return {
    statusCode: 500,
    code: 'INTERNAL_ERROR',
    message: 'Something went wrong on the server; see its log',
  };
}

/**
 * The path as a browser would resolve it, for deciding what kind of thing was asked for: percent
 * escapes decoded, `;` parameters and `.`/`..` segments dropped, slashes folded, lower case.
 */
export function canonicalPath(rawPath: string): string {
  let decoded = rawPath;
  for (let round = 0; round < 3 && /%[0-9a-f]{2}/i.test(decoded); round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  const segments: string[] = [];
  for (const part of decoded.replaceAll('\\', '/').split('/')) {
    const segment = part.split(';')[0]!.trim();
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment.toLowerCase());
  }
  return `/${segments.join('/')}`;
}

/** One error handler for the whole app: the error envelope, the right status, no stack traces. */
export default fp(
  async function errorHandler(app: App) {
    app.setErrorHandler((error: FastifyError & { details?: ErrorDetail[] }, request, reply) => {
      const mapped = mapError(error);
      if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: mapped.code, status: mapped.statusCode }, mapped.message);
      return reply.code(mapped.statusCode).send(errorEnvelope(mapped.code, mapped.message, mapped.details));
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      // Deep links into the dashboard (e.g. /albums/…) get its page; the app routes on the client.
      // An odd spelling of an API path (`/%61pi/…`, `//API/…`) is still the API's: a JSON 404.
      const canonical = canonicalPath(path);
      const wantsPage =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !/^\/(api|docs)(\/|$)/.test(canonical) &&
        (request.headers.accept ?? '').includes('text/html');
      if (wantsPage && typeof reply.sendFile === 'function') return reply.sendFile('index.html');
      return reply.code(404).send(errorEnvelope('ROUTE_NOT_FOUND', `No route for ${request.method} ${path}`));
    });
  },
  { name: 'error-handler' },
);
