import { randomUUID } from 'node:crypto';
import {
  PairingPreviewRequest,
  PairingPreviewResult,
  RegisterRequest,
  RegisterResult,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { claimPairingSession, findPairingByCredential, type PairingCredentialHash } from '@iclood/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  APP_DEVICE_SCOPES,
  PAIRING_GUESS_BUDGET,
  PAIRING_TTL_MS,
  chanceOfGuessingAnOpenCode,
  effectivePairingStatus,
  hashPairingValue,
  normalizePairingCode,
} from '@iclood/pairing';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { signDeviceToken } from '../../../services/accounts/device-tokens.js';
import { setDeviceCookie } from '../../../services/accounts/sessions.js';
import { lanDisplayName } from '../../../services/network/lan-addresses.js';
import { httpsUrlFor } from '../../../services/network/server-urls.js';
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
const WRONG_CODE_MESSAGE =
  'This pairing code is not valid: it may be mistyped, used or expired. Open a new pairing on the dashboard.';

/** The pairing a request names by exactly one of `code` and `secret`: the hash to look it up by. */
function credentialOf(body: { code?: string; secret?: string }): PairingCredentialHash {
  const { code, secret } = body;
  if ((code === undefined) === (secret === undefined)) {
    throw new ApiError('VALIDATION_FAILED', 'Send either "code" or "secret"', [
      { field: 'body', message: 'exactly one of code and secret is required' },
    ]);
  }
  // A code that cannot be one still counts as a wrong attempt: it hashes to nothing stored.
  return code !== undefined
    ? { codeHash: hashPairingValue(normalizePairingCode(code) ?? `invalid:${code}`) }
    : { secretHash: hashPairingValue(secret!) };
}

/**
 * A phone signs in by claiming the pairing a user opened (`routes/api/pairing`): with the QR
 * secret or the manual code it gets its device and a long-lived device token. The pairing page
 * (the QR link opened in a browser) first asks what it is about to pair with.
 */
const registerRoutes: AppPlugin = async (app) => {
  const codeGuesses = new PairingGuessLimiter(PAIRING_GUESS_BUDGET, app.now);

  // Only a manual code can be guessed; a QR secret (256 random bits) cannot, so it is never
  // held up by someone else's guessing.
  function reserveGuess(request: FastifyRequest, reply: FastifyReply, credential: PairingCredentialHash) {
    if (credential.codeHash === undefined) return undefined;
    const guess = codeGuesses.reserve(request.ip);
    if ('refusedBy' in guess) {
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
    return guess;
  }

  app.post(
    '/register/preview',
    {
      config: { access: 'public', rateLimit: REGISTER_PER_IP },
      schema: {
        tags: ['pairing'],
        summary: 'What a pairing code or QR secret would pair with: the server and the household member',
        description:
          'For the pairing page, before it registers the browser: sent in a body so the secret never ' +
          'appears in a URL. Looking claims nothing. A code or secret that names no pairing is 401 ' +
          '`PAIRING_CODE_INVALID`, the same answer as a wrong registration, and wrong codes count ' +
          'against the same budget: ' +
          GUESSING_LIMITS +
          ' A QR secret (which cannot be guessed) of a pairing that is used or expired is 409 ' +
          '`PAIRING_CLOSED`, saying which in `details` (`{ field: "status", message: "claimed" | "expired" | "burned" }`); ' +
          'a manual code of one is `PAIRING_CODE_INVALID`.',
        body: PairingPreviewRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(PairingPreviewResult) }),
      },
    },
    async (request, reply) => {
      const credential = credentialOf(request.body);
      const guess = reserveGuess(request, reply, credential);
      const found = await findPairingByCredential(app.db, credential);
      if (!found) throw new ApiError('PAIRING_CODE_INVALID', WRONG_CODE_MESSAGE);
      const status = effectivePairingStatus(found.session, app.now());
      if (status !== 'pending' && credential.codeHash !== undefined) {
        throw new ApiError('PAIRING_CODE_INVALID', WRONG_CODE_MESSAGE);
      }
      if (status !== 'pending') {
        throw new ApiError(
          'PAIRING_CLOSED',
          status === 'claimed'
            ? 'This pairing has already been used. Open a new pairing on the dashboard.'
            : status === 'expired'
              ? 'This pairing has expired. Open a new pairing on the dashboard.'
              : 'This pairing was closed. Open a new pairing on the dashboard.',
          // Which, for a page to word it without reading the message.
          [{ field: 'status', message: status }],
        );
      }
      if (guess) codeGuesses.giveBack(guess);
      // Over plain HTTP with HTTPS on, the page offers to continue on the secure page.
      const httpsUrl = request.protocol === 'http' ? httpsUrlFor(app, request.hostname) : undefined;
      return ok({
        server: { id: app.identity.serverId, name: lanDisplayName() },
        forUser: { username: found.user.username, displayName: found.user.displayName },
        expiresAt: found.session.expires_at.toISOString(),
        ...(httpsUrl ? { httpsUrl } : {}),
      });
    },
  );

  app.post(
    '/register',
    {
      config: { access: 'public', rateLimit: REGISTER_PER_IP },
      schema: {
        tags: ['pairing'],
        summary: 'A phone pairs with the QR secret or the manual code and gets its device token',
        description:
          GUESSING_LIMITS +
          ' With `platform: "web"` (the pairing page) the token is not in the body but set as the ' +
          'httpOnly, SameSite=Strict `iclood_device` cookie (Secure over HTTPS), which signs that ' +
          'browser in until the device is removed.',
        body: RegisterRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(RegisterResult) }),
      },
    },
    async (request, reply) => {
      const { deviceName, platform } = request.body;
      const credential = credentialOf(request.body);
      const guess = reserveGuess(request, reply, credential);
      const claimed = await claimPairingSession(app.db, {
        ...credential,
        now: app.now(),
        device: { name: deviceName, platform, scopes: [...APP_DEVICE_SCOPES], tokenId: randomUUID() },
      });
      const via = credential.codeHash !== undefined ? 'code' : 'secret';
      if (!claimed) {
        request.log.info({ via }, 'pairing attempt refused');
        throw new ApiError('PAIRING_CODE_INVALID', WRONG_CODE_MESSAGE);
      }
      if (guess) codeGuesses.giveBack(guess);
      app.pendingPairings.forget(claimed.session.id);
      request.log.info(
        { deviceId: claimed.device.id, userId: claimed.device.user_id, platform },
        'device paired',
      );
      const token = signDeviceToken(app, claimed.device);
      if (platform === 'web') setDeviceCookie(request, reply, token);
      return reply.code(201).send(
        ok(
          {
            device: toDeviceSummary(claimed.device, claimed.device.id),
            ...(platform === 'web' ? {} : { token }),
            server: { id: app.identity.serverId, name: lanDisplayName() },
          },
          'Paired',
        ),
      );
    },
  );
};

export default registerRoutes;
