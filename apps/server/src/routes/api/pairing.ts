import { randomUUID } from 'node:crypto';
import {
  CreatePairingRequest,
  CreatePairingResult,
  PairingParams,
  PairingStatusResult,
  RegisterRequest,
  RegisterResult,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import {
  claimPairingSession,
  createPairingSession,
  findDeviceOverview,
  findPairingSession,
} from '@iclood/db';
import {
  APP_DEVICE_SCOPES,
  PAIRING_GUESS_BUDGET,
  PAIRING_TTL_MS,
  buildPairingPayload,
  chanceOfGuessingAnOpenCode,
  effectivePairingStatus,
  formatPairingCode,
  hashPairingValue,
  newPairingCredentials,
  normalizePairingCode,
  renderQrPng,
  renderQrSvg,
} from '@iclood/pairing';
import { ok } from '../../envelope.js';
import { ApiError } from '../../errors.js';
import { signDeviceToken } from '../../services/accounts/device-tokens.js';
import { toDeviceSummary } from './device-bodies.js';
import { pairingUserFor } from '../../services/accounts/household-access.js';
import { PairingGuessLimiter } from '../../services/pairing/guess-limiter.js';
import { PendingPairings } from '../../services/pairing/pending-pairings.js';
import { lanDisplayName } from '../../services/network/lan-addresses.js';
import { reachableUrls } from '../../services/network/server-urls.js';
import { principalOf, type AppPlugin } from '../../types.js';

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

const imageResponse = (mime: string, description: string) => ({
  description,
  content: { [mime]: { schema: { type: 'string', ...(mime === 'image/png' ? { format: 'binary' } : {}) } } },
});

/** Pairing a phone: the QR/code a signed-in user shows, and the register call the phone makes. */
const pairingRoutes: AppPlugin = async (app) => {
  const pending = new PendingPairings(app.now);
  const codeGuesses = new PairingGuessLimiter(PAIRING_GUESS_BUDGET, app.now);

  // Hashes stay unique forever, so a new code can (very rarely) equal an old one: draw again.
  async function openPairingSession(userId: string, openedBy: string, expiresAt: Date) {
    for (let attempt = 1; ; attempt++) {
      const credentials = newPairingCredentials();
      try {
        const { codeHash, secretHash } = credentials;
        return {
          session: await createPairingSession(app.db, {
            userId,
            openedBy,
            codeHash,
            secretHash,
            expiresAt,
            openLimit: { max: PAIRING_GUESS_BUDGET.maxOpenPairings, now: app.now() },
          }),
          credentials,
        };
      } catch (error) {
        if ((error as { code?: string }).code !== 'PAIRING_CODE_TAKEN' || attempt >= 5) throw error;
      }
    }
  }

  app.post(
    '/pairing',
    {
      config: { access: 'user-session' },
      // The body is optional: no body at all opens a pairing for the caller, as it always has.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['pairing'],
        summary: 'Open a pairing: a QR payload and a manual code, valid for 10 minutes, single use',
        description:
          `At most ${PAIRING_GUESS_BUDGET.maxOpenPairings} pairings, of all users, are open at once: one more is refused with 409 \`TOO_MANY_OPEN_PAIRINGS\` until one is used or expires. ` +
          'An owner or admin may send `userId` to pair a phone for a household member: the device, and ' +
          'everything it uploads, is theirs, while the pairing (its status and QR code) is seen only by ' +
          'whoever opened it. Someone else’s `userId` from a member is 403 `FORBIDDEN`; an admin pairs ' +
          'members only, the owner anyone; an unknown user is 404 `NOT_FOUND`.',
        body: CreatePairingRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(CreatePairingResult) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const forUser = await pairingUserFor(app, principal, request.body.userId);
      const expiresAt = new Date(app.now().getTime() + PAIRING_TTL_MS);
      const { session, credentials } = await openPairingSession(forUser.id, principal.user.id, expiresAt);
      const qrPayload = buildPairingPayload({
        urls: reachableUrls(app),
        secret: credentials.secret,
        code: credentials.code,
        serverId: app.identity.serverId,
        fingerprint: app.tls.enabled ? app.tls.fingerprint : undefined,
      });
      pending.remember(session.id, {
        openedBy: principal.user.id,
        code: credentials.code,
        qrPayload,
        expiresAt,
      });
      request.log.info(
        { pairingId: session.id, userId: forUser.id, by: principal.user.id },
        'pairing opened',
      );
      return reply.code(201).send(
        ok(
          {
            id: session.id,
            userId: forUser.id,
            forUser: { id: forUser.id, username: forUser.username, displayName: forUser.displayName },
            code: formatPairingCode(credentials.code),
            qrPayload,
            expiresAt: expiresAt.toISOString(),
          },
          'Scan the QR code with the iClood app, or type the code',
        ),
      );
    },
  );

  app.get(
    '/pairing/:id',
    {
      config: { access: 'user-session' },
      schema: {
        tags: ['pairing'],
        summary:
          'Whether a pairing is still open, and the device once one has paired (for whoever opened it)',
        params: PairingParams,
        response: withErrorResponses({ 200: SuccessEnvelope(PairingStatusResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const found = await findPairingSession(app.db, { id: request.params.id, openedBy: principal.user.id });
      if (!found) throw new ApiError('NOT_FOUND', 'No such pairing');
      const { session } = found;
      const device =
        found.device && ((await findDeviceOverview(app.db, { id: found.device.id })) ?? found.device);
      return ok({
        id: session.id,
        status: effectivePairingStatus(session, app.now()),
        createdAt: session.created_at.toISOString(),
        expiresAt: session.expires_at.toISOString(),
        claimedAt: session.claimed_at?.toISOString() ?? null,
        device: device ? toDeviceSummary(device) : null,
      });
    },
  );

  async function openPairing(id: string, openedBy: string) {
    const found = await findPairingSession(app.db, { id, openedBy });
    if (!found) throw new ApiError('NOT_FOUND', 'No such pairing');
    const status = effectivePairingStatus(found.session, app.now());
    const open = status === 'pending' ? pending.find(id, openedBy) : undefined;
    if (!open) {
      throw new ApiError(
        'PAIRING_CLOSED',
        status === 'pending'
          ? 'This pairing was opened before the server restarted; open a new one'
          : `This pairing is ${status}; open a new one`,
      );
    }
    return open;
  }

  app.get(
    '/pairing/:id/qr.svg',
    {
      config: { access: 'user-session' },
      schema: {
        tags: ['pairing'],
        summary: 'The pairing QR code as SVG (while the pairing is open)',
        params: PairingParams,
        response: withErrorResponses({ 200: imageResponse('image/svg+xml', 'SVG image') }),
      },
    },
    async (request, reply) => {
      const open = await openPairing(request.params.id, principalOf(request).user.id);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'no-store')
        .send(await renderQrSvg(open.qrPayload));
    },
  );

  app.get(
    '/pairing/:id/qr.png',
    {
      config: { access: 'user-session' },
      schema: {
        tags: ['pairing'],
        summary: 'The pairing QR code as PNG (while the pairing is open)',
        params: PairingParams,
        response: withErrorResponses({ 200: imageResponse('image/png', 'PNG image') }),
      },
    },
    async (request, reply) => {
      const open = await openPairing(request.params.id, principalOf(request).user.id);
      return reply
        .type('image/png')
        .header('cache-control', 'no-store')
        .send(await renderQrPng(open.qrPayload));
    },
  );

  app.post(
    '/auth/register',
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
      pending.forget(claimed.session.id);
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

export default pairingRoutes;
