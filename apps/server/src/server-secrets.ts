import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateFile } from '@iclood/storage';

export interface ServerSecrets {
  /** Kept in `<data>/server-id`: phones recognise the server by it, so it outlives reinstalls. */
  serverId: string;
  /** Signs every JWT; kept in `<data>/secrets/jwt-secret` (0600). Deleting it signs everyone out. */
  jwtSecret: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadServerSecrets(dataDir: string, secretsDir: string): Promise<ServerSecrets> {
  const serverId = await readOrCreateFile(join(dataDir, 'server-id'), () => randomUUID(), 0o644);
  if (!UUID.test(serverId)) {
    throw new Error(`${join(dataDir, 'server-id')} does not hold a uuid; fix or delete it`);
  }
  const jwtSecret = await readOrCreateFile(
    join(secretsDir, 'jwt-secret'),
    () => randomBytes(64).toString('base64url'),
    0o600,
  );
  return { serverId, jwtSecret };
}
