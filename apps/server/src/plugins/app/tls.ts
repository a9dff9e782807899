import { isIP } from 'node:net';
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import { dataLayout } from '@iclood/storage';
import { listLanAddresses, type LanAddress } from '../../services/network/lan-addresses.js';
import {
  ensureTlsCertificates,
  leafSubjectNames,
  type TlsCertificates,
} from '../../services/tls/certificates.js';
import { HttpsListener } from '../../services/tls/https-listener.js';
import type { App } from '../../types.js';

/** What pairing QR codes, the mDNS TXT record and the status page know about HTTPS. */
export interface TlsState {
  enabled: boolean;
  /** The HTTPS port: ICLOOD_TLS_PORT, or the bound one once `httpsListener.listen()` picked another. */
  port?: number;
  /** SHA-256 of the leaf certificate's SubjectPublicKeyInfo, base64url without padding (43 chars). */
  fingerprint?: string;
  /** Its first 16 characters, for the TXT record (`fp=`). */
  shortFingerprint?: string;
  /** The local CA certificate, PEM (public; what phones install). */
  caPem?: string;
}

export interface HttpsControl {
  /**
   * Starts HTTPS beside HTTP, on the same app (`app.routing`). Defaults: ICLOOD_TLS_PORT and HOST.
   * Resolves with the bound port, or undefined when TLS is off. Closed by `app.close()`.
   */
  listen(options?: { port?: number; host?: string }): Promise<number | undefined>;
  /** Re-issues the leaf if it expires within 30 days or no longer covers the LAN names; true if it did. */
  renewCertificate(): Promise<boolean>;
}

export interface TlsPluginOptions {
  /** Where the certificates live; default `$ICLOOD_DATA_DIR/secrets`. */
  secretsDir?: string;
  /** Addresses for the certificate; default the host's current LAN addresses. */
  lanAddresses?: () => LanAddress[];
  /** How often a running server checks its certificate (default every 12 hours). */
  renewalCheckMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    tls: TlsState;
    httpsListener: HttpsControl;
  }
}

const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;

/**
 * HTTPS with the server's own certificates (ICLOOD_TLS_PORT): a local CA and a leaf it signs,
 * created on first start in the secrets folder and renewed on the same key, so the fingerprint
 * the iPhone app pins stays put. With TLS off, `app.tls.enabled` is false and nothing is created.
 */
export default fp<TlsPluginOptions>(
  async function tlsPlugin(app: App, options) {
    const tlsPort = app.config.tlsPort;
    if (tlsPort === undefined) {
      app.decorate('tls', { enabled: false });
      app.decorate('httpsListener', { listen: async () => undefined, renewCertificate: async () => false });
      return;
    }

    const secretsDir = options.secretsDir ?? dataLayout(app.config.dataDir, app.config.libraryDir).secretsDir;
    const lanAddresses = options.lanAddresses ?? (() => listLanAddresses());
    const obtain = () =>
      ensureTlsCertificates({
        secretsDir,
        serverId: app.identity.serverId,
        names: leafSubjectNames({
          mdnsHost: app.config.mdns.host,
          hostName: hostname(),
          listenHost: app.config.host,
          publicUrl: app.config.publicUrl,
          lanAddresses: lanAddresses().map((entry) => entry.address),
        }),
        now: app.now(),
      });

    const report = (certificates: TlsCertificates) => {
      const {
        fingerprint,
        leafNotAfter,
        caCreated,
        leafKeyCreated,
        leafIssued,
        coveredNames,
        excludedNames,
      } = certificates;
      app.log.info(
        {
          fingerprint,
          expires: leafNotAfter.toISOString(),
          caCreated,
          leafKeyCreated,
          leafIssued,
          names: coveredNames,
        },
        leafIssued ? 'HTTPS certificate issued' : 'HTTPS certificate loaded',
      );
      if (excludedNames.length > 0) {
        // A public IPv6 address is routine and nothing to act on; a configured name left out is.
        const configured = excludedNames.filter((name) => !isIP(name) || name === app.config.host);
        app.log[configured.length > 0 ? 'warn' : 'info'](
          { names: excludedNames },
          'left out of the HTTPS certificate: the local CA is limited to home-network names (.local, .home.arpa, .lan, .internal) and private addresses',
        );
      }
    };

    const certificates = await obtain();
    report(certificates);
    const state: TlsState = {
      enabled: true,
      port: tlsPort,
      fingerprint: certificates.fingerprint,
      shortFingerprint: certificates.shortFingerprint,
      caPem: certificates.caPem,
    };
    const listener = new HttpsListener({
      key: certificates.keyPem,
      cert: certificates.certPem,
      handler: (request, response) => app.routing(request, response),
      like: app.server,
    });

    async function renewCertificate(): Promise<boolean> {
      const next = await obtain();
      if (!next.leafIssued && !next.caCreated) return false;
      report(next);
      listener.setCertificate(next.keyPem, next.certPem);
      Object.assign(state, {
        fingerprint: next.fingerprint,
        shortFingerprint: next.shortFingerprint,
        caPem: next.caPem,
      });
      return true;
    }

    // A Pi can run for more than a year without a restart, longer than the leaf lives.
    const renewalTimer = setInterval(() => {
      renewCertificate().catch((err: unknown) =>
        app.log.error({ err }, 'could not renew the HTTPS certificate'),
      );
    }, options.renewalCheckMs ?? TWELVE_HOURS_MS);
    renewalTimer.unref();

    app.decorate('tls', state);
    app.decorate('httpsListener', {
      async listen({ port = tlsPort, host = app.config.host } = {}) {
        await app.ready();
        state.port = await listener.listen(port, host);
        app.log.info({ port: state.port, host }, 'HTTPS listening');
        return state.port;
      },
      renewCertificate,
    });

    // Fastify already answers new requests with 503 at this point; waiting here lets in-flight
    // HTTPS requests finish before the database closes in onClose.
    app.addHook('preClose', async () => {
      clearInterval(renewalTimer);
      await listener.close();
    });
  },
  { name: 'tls' },
);
