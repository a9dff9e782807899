import { X509Certificate } from 'node:crypto';
import { Type } from 'typebox';
import { withErrorResponses } from '@iclood/api-types';
import { ApiError } from '../../../errors.js';
import { lanDisplayName } from '../../../services/network/lan-addresses.js';
import { caMobileconfig } from '../../../services/tls/mobileconfig.js';
import type { App, AppPlugin } from '../../../types.js';

const PEM_TYPE = 'application/x-pem-file';
const PROFILE_TYPE = 'application/x-apple-aspen-config';

// Not JSON: the 200 body is described per media type, errors keep the JSON envelope.
function fileResponse(mediaType: string, description: string) {
  return withErrorResponses({
    200: Type.Unsafe<Buffer>({ description, content: { [mediaType]: { schema: { type: 'string' } } } }),
  });
}

function caPemOrNotFound(app: App): string {
  if (!app.tls.enabled || !app.tls.caPem) {
    throw new ApiError('NOT_FOUND', 'HTTPS is off on this server (set ICLOOD_TLS_PORT to turn it on)');
  }
  return app.tls.caPem;
}

function commonName(certificate: X509Certificate): string {
  const line = certificate.subject.split('\n').find((entry) => entry.startsWith('CN='));
  return line ? line.slice(3) : 'iClood local CA';
}

/**
 * The local CA, for phones to trust the server's HTTPS certificate (iOS Shortcuts cannot pin).
 * Public: a phone installs it before it is paired, and a CA certificate is public material.
 */
const systemCaRoutes: AppPlugin = async (app) => {
  app.get(
    '/ca.pem',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: "The local certificate authority that signs this server's HTTPS certificate (PEM)",
        response: fileResponse(PEM_TYPE, 'The CA certificate, PEM'),
      },
    },
    async (_request, reply) => {
      const pem = caPemOrNotFound(app);
      return reply
        .type(PEM_TYPE)
        .header('content-disposition', 'attachment; filename="iclood-ca.pem"')
        .header('cache-control', 'no-cache')
        .send(Buffer.from(pem, 'utf8'));
    },
  );

  app.get(
    '/ca.mobileconfig',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary:
          'An iOS configuration profile that installs the local CA (then enable it in Certificate Trust Settings)',
        response: fileResponse(PROFILE_TYPE, 'Unsigned XML plist with one com.apple.security.root payload'),
      },
    },
    async (_request, reply) => {
      const certificate = new X509Certificate(caPemOrNotFound(app));
      const profile = caMobileconfig({
        caDer: certificate.raw,
        caName: commonName(certificate),
        serverId: app.identity.serverId,
        displayName: lanDisplayName(),
      });
      return reply
        .type(PROFILE_TYPE)
        .header('content-disposition', 'attachment; filename="iclood.mobileconfig"')
        .header('cache-control', 'no-cache')
        .send(Buffer.from(profile, 'utf8'));
    },
  );
};

export default systemCaRoutes;
