import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../../errors.js';
import type { App } from '../../types.js';

/** Opt-in per route (`config.rateLimit`): login, setup and, later, register. */
export default fp(
  async function rateLimitPlugin(app: App) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', `Too many attempts; try again in ${context.after}`),
    });
  },
  { name: 'rate-limit' },
);
