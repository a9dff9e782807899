// Thin entry: read the config, build the app, listen, print where to open it, shut down gracefully.
import { networkInterfaces } from 'node:os';
import closeWithGrace from 'close-with-grace';
import { countUsers } from '@iclood/db';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, readEnvironment, type ServerConfig } from './config.js';

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => address!.address);
}

function urlsToOpen(config: ServerConfig, port: number): string[] {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const hosts = wildcard ? ['localhost', ...lanAddresses()] : [config.host.includes(':') ? `[${config.host}]` : config.host];
  return hosts.map((host) => `http://${host}:${port}`);
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an uncaught error');
    else app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
  });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const [first, ...others] = urlsToOpen(config, port);
  const setupNeeded = (await countUsers(app.db)) === 0;
  process.stdout.write(
    `\niClood ${app.identity.version} is running at ${first}` +
      (others.length ? ` (on your network: ${others.join(', ')})` : '') +
      `\n${setupNeeded ? 'Open it to create the owner account.' : 'Open it to sign in.'}` +
      ` Database: ${app.database.kind}. Data: ${config.dataDir}\n\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`iClood could not start: ${message}\n`);
  process.exit(1);
});
