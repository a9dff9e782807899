import { randomUUID } from 'node:crypto';
import { RegisterRequest, RegisterResult, SuccessEnvelope, withErrorResponses } from '@iclood/api-types';
import { claimPairingSession } from '@iclood/db';
import {
  APP_DEVICE_SCOPES,
  PAIRING_GUESS_BUDGET,
  PAIRING_TTL_MS,
  chanceOfGuessingAnOpenCode,
  hashPairingValue,
  normalizePairingCode,
} from '@iclood/pairing';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { signDeviceToken } from '../../../services/accounts/device-tokens.js';
import { lanDisplayName } from '../../../services/network/lan-addresses.js';
import { PairingGuessLimiter } from '../../../services/pairing/guess-limiter.js';
import type { AppPlugin } from '../../../types.js';
import { toDeviceSummary } from '../devices/device-bodies.js';

// Requests of any kind from one address; wrong codes have their own, tighter budget
// (PAIRING_GUESS_BUDGET), which is what bounds the chance of guessing an open code.
const REGISTER_PER_IP = { max: 10, timeWindow: 60_000 };

const minutes = PAIRING_GUESS_BUDGET.windowMs / 60_000;
const GUESSING_LIMITS =
  `A wrong manual code closes no pairing. Instead each client may send ${PAIRING_GUESS_BUDGET.perClient} ` +
  `wrong codes, and the whole server checks ${PAIRING_GUESS_BUDGET.perServer}, per ${minutes} minutes; ` +
  'beyond that codes are refused unchecked with 429 `TOO_MANY_PAIRING_ATTEMPTS` and `Retry-After`. ' +
  `With at most ${PAIRING_GUESS_BUDGET.maxOpenPairings} pairings open at once, the chance of guessing ` +
  `any open code during its ${PAIRING_TTL_MS / 60_000}-minute life stays below ` +
  `${chanceOfGuessingAnOpenCode().toPrecision(2)} (under one in a million). A QR secret cannot be ` +
  'guessed and is not held up by these limits.';

/**
 * A phone signs in by claiming the pairing a user opened (`routes/api/pairing`): with the QR
 * secret or the manual code it gets its device and a long-lived device token.
 */
const registerRoutes: AppPlugin = async (app) => {
  const codeGuesses = new PairingGuessLimiter(PAIRING_GUESS_BUDGET, app.now);

  app.post(
    '/register',
    {
      config: { access: 'public', rateLimit: REGISTER_PER_IP },
      schema: {
        tags: ['pairing'],
        summary: 'A phone pairs with the QR secret or the manual code and gets its device token',
        description: GUESSING_LIMITS,
        body: RegisterRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(RegisterResult) }),
      },
    },
    async (request, reply) => {
      const { code, secret, deviceName, platform } = request.body;
      if ((code === undefined) === (secret === undefined)) {
        throw new ApiError('VALIDATION_FAILED', 'Send either "code" or "secret"', [
          { field: 'body', message: 'exactly one of code and secret is required' },
        ]);
      }
      // Only a manual code can be guessed; a QR secret (256 random bits) cannot, so it is never
      // held up by someone else's guessing.
      const guess = code !== undefined ? codeGuesses.reserve(request.ip) : undefined;
      if (guess && 'refusedBy' in guess) {
        const seconds = Math.max(1, Math.ceil(guess.retryAfterMs / 1000));
        request.log.warn({ refusedBy: guess.refusedBy }, 'pairing code guessing refused');
        reply.header('retry-after', String(seconds));
        throw new ApiError(
          'TOO_MANY_PAIRING_ATTEMPTS',
          guess.refusedBy === 'client'
            ? `Too many wrong pairing codes from this device; try again in ${seconds} s, or scan the QR code`
            : `Too many wrong pairing codes on this server; try again in ${seconds} s, or scan the QR code`,
        );
      }
      // A code that cannot be one still counts as a wrong attempt: it hashes to nothing stored.
      const claimed = await claimPairingSession(app.db, {
        ...(code !== undefined
          ? { codeHash: hashPairingValue(normalizePairingCode(code) ?? `invalid:${code}`) }
          : { secretHash: hashPairingValue(secret!) }),
        now: app.now(),
        device: { name: deviceName, platform, scopes: [...APP_DEVICE_SCOPES], tokenId: randomUUID() },
      });
      if (!claimed) {
        request.log.info({ via: code !== undefined ? 'code' : 'secret' }, 'pairing attempt refused');
        throw new ApiError(
          'PAIRING_CODE_INVALID',
          'This pairing code is not valid: it may be mistyped, used or expired. Open a new pairing on the dashboard.',
        );
      }
      if (guess) codeGuesses.giveBack(guess);
      app.pendingPairings.forget(claimed.session.id);
      request.log.info({ deviceId: claimed.device.id, userId: claimed.device.user_id }, 'device paired');
      return reply.code(201).send(
        ok(
          {
            device: toDeviceSummary(claimed.device, claimed.device.id),
            token: signDeviceToken(app, claimed.device),
            server: { id: app.identity.serverId, name: lanDisplayName() },
          },
          'Paired',
        ),
      );
    },
  );
};

export default registerRoutes;
