// Thin entry: read the config, build the app, listen (HTTP, and HTTPS when ICLOOD_TLS_PORT is
// set), print where to open it, shut down gracefully.
import closeWithGrace from 'close-with-grace';
import { countUsers } from '@iclood/db';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, readEnvironment, type ServerConfig } from './config.js';
import { listenUrls } from './services/network/lan-addresses.js';
import type { App } from './types.js';

function loadConfigOrExit(): ServerConfig {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function urlsLine(label: string, urls: string[]): string {
  const [first, ...others] = urls;
  return `${label} ${first}` + (others.length ? ` (on your network: ${others.join(', ')})` : '');
}

async function listen(
  app: App,
  config: ServerConfig,
): Promise<{ httpPort: number; httpsPort: number | undefined }> {
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.port;
  if (config.tlsPort === undefined) return { httpPort, httpsPort: undefined };
  try {
    return { httpPort, httpsPort: await app.httpsListener.listen() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    throw new Error(`ICLOOD_TLS_PORT ${config.tlsPort} cannot be used (${(error as Error).message})`, {
      cause: error,
    });
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an uncaught error');
    else app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
  });

  let ports: Awaited<ReturnType<typeof listen>>;
  try {
    ports = await listen(app, config);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }

  const lines = [
    urlsLine(
      `iClood ${app.identity.version} is running at`,
      listenUrls({ host: config.host, port: ports.httpPort }),
    ),
  ];
  if (ports.httpsPort !== undefined) {
    const httpsUrls = listenUrls({ host: config.host, port: ports.httpsPort, protocol: 'https' });
    lines.push(
      urlsLine('HTTPS at', httpsUrls) + `, certificate key fingerprint (SHA-256) ${app.tls.fingerprint}`,
    );
  }
  if (config.mdns.enabled) lines.push(`Phones on your Wi-Fi find it as ${config.mdns.host} (mDNS).`);
  const setupNeeded = (await countUsers(app.db)) === 0;
  lines.push(
    `${setupNeeded ? 'Open it to create the owner account.' : 'Open it to sign in.'}` +
      ` Database: ${app.database.kind}. Data: ${config.dataDir}`,
  );
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`iClood could not start: ${message}\n`);
  process.exit(1);
});
