import { randomUUID } from 'node:crypto';
import {
  CreatePairingResult,
  PairingParams,
  PairingStatusResult,
  RegisterRequest,
  RegisterResult,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { claimPairingSession, createPairingSession, findPairingSession } from '@iclood/db';
import {
  APP_DEVICE_SCOPES,
  MAX_PAIRING_ATTEMPTS,
  PAIRING_TTL_MS,
  buildPairingPayload,
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
import { signDeviceToken, toDeviceSummary } from '../../services/devices.js';
import { FixedWindowLimiter } from '../../services/fixed-window-limiter.js';
import { PendingPairings } from '../../services/pending-pairings.js';
import { lanDisplayName } from '../../services/lan-addresses.js';
import { reachableUrls } from '../../services/server-urls.js';
import { principalOf, type AppPlugin } from '../../types.js';

const REGISTER_PER_IP = { max: 10, timeWindow: 60_000 };
const REGISTER_GLOBAL = { max: 30, windowMs: 60_000 };

const imageResponse = (mime: string, description: string) => ({
  description,
  content: { [mime]: { schema: { type: 'string', ...(mime === 'image/png' ? { format: 'binary' } : {}) } } },
});

/** Pairing a phone: the QR/code a signed-in user shows, and the register call the phone makes. */
const pairingRoutes: AppPlugin = async (app) => {
  const pending = new PendingPairings(app.now);
  const registerBudget = new FixedWindowLimiter(REGISTER_GLOBAL.max, REGISTER_GLOBAL.windowMs, app.now);

  // Hashes stay unique forever, so a new code can (very rarely) equal an old one: draw again.
  async function openPairingSession(userId: string, expiresAt: Date) {
    for (let attempt = 1; ; attempt++) {
      const credentials = newPairingCredentials();
      try {
        const { codeHash, secretHash } = credentials;
        return {
          session: await createPairingSession(app.db, { userId, codeHash, secretHash, expiresAt }),
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
      schema: {
        tags: ['pairing'],
        summary: 'Open a pairing: a QR payload and a manual code, valid for 10 minutes, single use',
        response: withErrorResponses({ 201: SuccessEnvelope(CreatePairingResult) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expiresAt = new Date(app.now().getTime() + PAIRING_TTL_MS);
      const { session, credentials } = await openPairingSession(principal.user.id, expiresAt);
      const qrPayload = buildPairingPayload({
        urls: reachableUrls(app),
        secret: credentials.secret,
        code: credentials.code,
        serverId: app.identity.serverId,
        fingerprint: app.tls.enabled ? app.tls.fingerprint : undefined,
      });
      pending.remember(session.id, {
        userId: principal.user.id,
        code: credentials.code,
        qrPayload,
        expiresAt,
      });
      request.log.info({ pairingId: session.id }, 'pairing opened');
      return reply.code(201).send(
        ok(
          {
            id: session.id,
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
        summary: 'Whether a pairing is still open, and the device once one has paired',
        params: PairingParams,
        response: withErrorResponses({ 200: SuccessEnvelope(PairingStatusResult) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const found = await findPairingSession(app.db, { id: request.params.id, userId: principal.user.id });
      if (!found) throw new ApiError('NOT_FOUND', 'No such pairing');
      const { session, device } = found;
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

  async function openPairing(id: string, userId: string) {
    const found = await findPairingSession(app.db, { id, userId });
    if (!found) throw new ApiError('NOT_FOUND', 'No such pairing');
    const status = effectivePairingStatus(found.session, app.now());
    const open = status === 'pending' ? pending.find(id, userId) : undefined;
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
      if (!registerBudget.tryTake()) {
        throw new ApiError(
          'RATE_LIMITED',
          `Too many pairing attempts on this server; try again in ${Math.ceil(registerBudget.retryAfterMs() / 1000)} s`,
        );
      }
      // A code that cannot be one still counts as a wrong attempt: it hashes to nothing stored.
      const claimed = await claimPairingSession(app.db, {
        ...(code !== undefined
          ? { codeHash: hashPairingValue(normalizePairingCode(code) ?? `invalid:${code}`) }
          : { secretHash: hashPairingValue(secret!) }),
        now: app.now(),
        maxAttempts: MAX_PAIRING_ATTEMPTS,
        device: { name: deviceName, platform, scopes: [...APP_DEVICE_SCOPES], tokenId: randomUUID() },
      });
      if (!claimed) {
        request.log.info({ via: code !== undefined ? 'code' : 'secret' }, 'pairing attempt refused');
        throw new ApiError(
          'PAIRING_CODE_INVALID',
          'This pairing code is not valid: it may be mistyped, used or expired. Open a new pairing on the dashboard.',
        );
      }
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
