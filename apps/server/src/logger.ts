import type { FastifyServerOptions } from 'fastify';
/** Where log lines go (pino writes one JSON line per call). */
export interface LogDestination {
  write(line: string): void;
}
import type { LogLevel } from './config.js';

/** Anything that can carry a credential is censored before a log line is written. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  '*.jwtSecret',
];

export function loggerOptions(level: LogLevel, stream?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings can carry tokens (e.g. a Shortcut pasting one into a URL): log paths only.
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: request.url.split('?')[0], remoteAddress: request.ip };
      },
    },
    ...(stream ? { stream } : {}),
  };
}
