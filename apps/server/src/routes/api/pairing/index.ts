import {
  CreatePairingRequest,
  CreatePairingResult,
  PairingParams,
  PairingQrQuery,
  PairingStatusResult,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { createPairingSession, findDeviceOverview, findPairingSession } from '@iclood/db';
import {
  PAIRING_GUESS_BUDGET,
  PAIRING_TTL_MS,
  buildPairingPayload,
  effectivePairingStatus,
  formatPairingCode,
  newPairingCredentials,
  renderQrPng,
  renderQrSvg,
} from '@iclood/pairing';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { pairingUserFor } from '../../../services/accounts/household-access.js';
import { plainHttpFirstUrls, reachableUrls } from '../../../services/network/server-urls.js';
import { principalOf, type AppPlugin } from '../../../types.js';
import { toDeviceSummary } from '../devices/device-bodies.js';

const imageResponse = (mime: string, description: string) => ({
  description,
  content: { [mime]: { schema: { type: 'string', ...(mime === 'image/png' ? { format: 'binary' } : {}) } } },
});

/**
 * Pairing a phone, the signed-in user's side: open a pairing and show its QR code and manual code.
 * The phone's side, claiming it, is `auth/register.ts`.
 */
const pairingRoutes: AppPlugin = async (app) => {
  const pending = app.pendingPairings;

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
    '/',
    {
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
      const linkAt = (urls: string[]) =>
        buildPairingPayload({
          urls,
          secret: credentials.secret,
          code: credentials.code,
          serverId: app.identity.serverId,
          fingerprint: app.tls.enabled ? app.tls.fingerprint : undefined,
        });
      const qrPayload = linkAt(reachableUrls(app));
      const httpFirst = plainHttpFirstUrls(app);
      const qrPayloadHttp = httpFirst && linkAt(httpFirst);
      pending.remember(session.id, {
        openedBy: principal.user.id,
        code: credentials.code,
        qrPayload,
        ...(qrPayloadHttp ? { qrPayloadHttp } : {}),
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
            ...(qrPayloadHttp ? { qrPayloadHttp } : {}),
            expiresAt: expiresAt.toISOString(),
          },
          'Scan the QR code with the iPhone camera or the iClood app, or type the code in the app',
        ),
      );
    },
  );

  app.get(
    '/:id',
    {
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

  /** The pairing link a QR image shows: the main one, or the plain-HTTP one (HTTPS on only). */
  function linkOf(open: { qrPayload: string; qrPayloadHttp?: string }, link: PairingQrQuery['link']) {
    if (link !== 'http') return open.qrPayload;
    if (!open.qrPayloadHttp)
      throw new ApiError('NOT_FOUND', 'HTTPS is off: the pairing link is plain HTTP already');
    return open.qrPayloadHttp;
  }

  app.get(
    '/:id/qr.svg',
    {
      schema: {
        tags: ['pairing'],
        summary:
          'The pairing QR code as SVG (while the pairing is open); `?link=http` for the plain-HTTP link',
        params: PairingParams,
        querystring: PairingQrQuery,
        response: withErrorResponses({ 200: imageResponse('image/svg+xml', 'SVG image') }),
      },
    },
    async (request, reply) => {
      const open = await openPairing(request.params.id, principalOf(request).user.id);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'no-store')
        .send(await renderQrSvg(linkOf(open, request.query.link)));
    },
  );

  app.get(
    '/:id/qr.png',
    {
      schema: {
        tags: ['pairing'],
        summary:
          'The pairing QR code as PNG (while the pairing is open); `?link=http` for the plain-HTTP link',
        params: PairingParams,
        querystring: PairingQrQuery,
        response: withErrorResponses({ 200: imageResponse('image/png', 'PNG image') }),
      },
    },
    async (request, reply) => {
      const open = await openPairing(request.params.id, principalOf(request).user.id);
      return reply
        .type('image/png')
        .header('cache-control', 'no-store')
        .send(await renderQrPng(linkOf(open, request.query.link)));
    },
  );
};

export default pairingRoutes;
